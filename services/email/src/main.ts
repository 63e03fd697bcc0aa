import { runService } from '@herald/runtime';
import { loadEmailConfig } from './config.js';
import { startEmail } from './service.js';

runService(
  'email',
  () => loadEmailConfig(),
  (config, logger, signal) => startEmail(config, logger, {}, signal),
);
