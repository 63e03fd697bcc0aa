import { runMain } from '@herald/runtime';
import { createLogger, initTracing } from '@herald/telemetry';
import { loadInterfaceConfig } from './config.js';
import { startInterface } from './service.js';

runMain(
  async () => {
    const config = loadInterfaceConfig();
    const logger = createLogger('interface', config.LOG_LEVEL);
    const tracing = initTracing({ serviceName: 'interface', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
    const service = await startInterface(config, logger);
    return {
      async stop() {
        await service.stop();
        await tracing.shutdown();
      },
    };
  },
  (err) => console.error(err),
);
