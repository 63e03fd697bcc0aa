import { runService } from '@herald/runtime';
import { loadBrowserPushConfig } from './config.js';
import { startBrowserPush } from './service.js';

runService('browser-push', () => loadBrowserPushConfig(), startBrowserPush);
