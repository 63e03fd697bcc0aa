import { runMain } from '@herald/runtime';
import { createLogger, initTracing } from '@herald/telemetry';
import { loadIngestConfig } from './config.js';
import { startIngest } from './service.js';

runMain(
  async () => {
    const config = loadIngestConfig();
    const logger = createLogger('ingest', config.LOG_LEVEL);
    const tracing = initTracing({ serviceName: 'ingest', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
    const service = await startIngest(config, logger);
    return {
      async stop() {
        await service.stop();
        await tracing.shutdown();
      },
    };
  },
  (err) => console.error(err),
);
