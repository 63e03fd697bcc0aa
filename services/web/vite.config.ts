import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/** The embeddable center's budget, gzipped. */
const budgetBytes = 60 * 1024;

/** Prints embed.js's gzipped size and fails the build past the budget. */
function sizeBudget(): Plugin {
  return {
    name: 'herald-size-budget',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk' || file.fileName !== 'embed.js') continue;
        const gzipped = gzipSync(file.code, { level: 9 }).length;
        const line = `embed.js: ${(gzipped / 1024).toFixed(1)} KB gzipped (budget ${budgetBytes / 1024} KB)`;
        if (gzipped > budgetBytes) this.error(`${line}: over budget`);
        console.log(line);
      }
    },
  };
}

/**
 * One classic script, embed.js: the elements and window.APP.notifications;
 * public/ holds the pages that load it (the full page at /, the demo).
 */
export default defineConfig({
  publicDir: 'public',
  plugins: [sizeBudget()],
  build: {
    outDir: 'dist/public',
    emptyOutDir: true,
    target: 'es2022',
    lib: { entry: 'src/embed.ts', name: 'HeraldEmbed', formats: ['iife'], fileName: () => 'embed.js' },
  },
});
