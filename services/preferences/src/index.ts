// The front door of the preferences service: other packages start it in their end-to-end tests.
export { startPreferences, routerDurable } from './service.js';
export type { RunningPreferences } from './service.js';
export { loadPreferencesConfig } from './config.js';
export type { PreferencesConfig } from './config.js';
