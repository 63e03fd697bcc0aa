import { runService } from '@herald/runtime';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './service.js';

runService(
  'gateway',
  () => loadGatewayConfig(),
  (config, logger) => startGateway(config, logger),
);
