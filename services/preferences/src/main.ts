import { runService } from '@herald/runtime';
import { loadPreferencesConfig } from './config.js';
import { startPreferences } from './service.js';

runService('preferences', () => loadPreferencesConfig(), startPreferences);
