export { loadConfig, ConfigError, env, serviceShape, databaseShape } from './config.js';
