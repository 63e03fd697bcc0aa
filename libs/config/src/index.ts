export {
  loadConfig,
  ConfigError,
  env,
  serviceShape,
  databaseShape,
  consumerShape,
  consumerTuning,
  grpcTls,
} from './config.js';
