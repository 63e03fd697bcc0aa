import { runService } from '@herald/runtime';
import { loadTelegramConfig } from './config.js';
import { startTelegram } from './service.js';

runService('telegram', () => loadTelegramConfig(), startTelegram);
