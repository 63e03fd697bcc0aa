import { runMain } from '@herald/runtime';
import { createLogger, initTracing } from '@herald/telemetry';
import { loadPreferencesConfig } from './config.js';
import { startPreferences } from './service.js';

runMain(
  async () => {
    const config = loadPreferencesConfig();
    const logger = createLogger('preferences', config.LOG_LEVEL);
    const tracing = initTracing({ serviceName: 'preferences', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
    const service = await startPreferences(config, logger);
    return {
      stop: async () => {
        await service.stop();
        await tracing.shutdown();
      },
    };
  },
  (err) => {
    console.error(err);
  },
);
