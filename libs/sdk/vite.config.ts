import { defineConfig } from 'vite';

/** The script-tag bundle: one classic script that defines window.APP.notifications. */
export default defineConfig({
  build: {
    outDir: 'dist/bundle',
    emptyOutDir: true,
    target: 'es2022',
    lib: {
      entry: 'src/script-tag.ts',
      name: 'HeraldNotifications',
      formats: ['iife'],
      fileName: () => 'app-notifications.js',
    },
  },
});
