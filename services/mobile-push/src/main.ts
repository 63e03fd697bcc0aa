import { runService } from '@herald/runtime';
import { loadMobilePushConfig } from './config.js';
import { startMobilePush } from './service.js';

runService('mobile-push', () => loadMobilePushConfig(), startMobilePush);
