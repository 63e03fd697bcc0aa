import { createLogger, initTracing, type Logger, type LogLevel } from '@herald/telemetry';

/** What a started service hands back: stopping finishes its in-flight work first. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** Resolves on the first SIGTERM or SIGINT. */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/**
 * The one way every service runs: start, wait for a stop signal, stop (which
 * drains), exit 0. A failure to start, or to stop cleanly, exits 1. A signal
 * that arrives while the service is still starting stops it as soon as it is up.
 */
export function runMain(start: () => Promise<Stoppable>, onError: (err: unknown) => void): void {
  const stopSignal = untilStopSignal();
  const run = async (): Promise<void> => {
    const service = await start();
    await stopSignal;
    await service.stop();
  };
  run().then(
    () => process.exit(0),
    (err: unknown) => {
      onError(err);
      process.exit(1);
    },
  );
}

export interface ServiceBasics {
  LOG_LEVEL: LogLevel;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
}

/**
 * A service's main(): its config parsed once, JSON logs and traces named for
 * it, started, and on SIGTERM stopped (draining its work) before the traces
 * are flushed.
 */
export function runService<C extends ServiceBasics>(
  name: string,
  loadConfig: () => C,
  start: (config: C, logger: Logger) => Promise<Stoppable>,
): void {
  runMain(
    async () => {
      const config = loadConfig();
      const logger = createLogger(name, config.LOG_LEVEL);
      const tracing = initTracing({ serviceName: name, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
      const service = await start(config, logger);
      return {
        async stop() {
          await service.stop();
          await tracing.shutdown();
        },
      };
    },
    (err) => console.error(err),
  );
}
