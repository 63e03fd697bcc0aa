export { loadConfig, ConfigError, env } from './config.js';
