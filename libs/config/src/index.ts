export { loadConfig, ConfigError, env, serviceShape, databaseShape, consumerShape, consumerTuning } from './config.js';
