import { createLogger, initTracing, type Logger, type LogLevel } from '@herald/telemetry';
import { StartAbortedError } from './startup.js';

/** What a started service hands back: stopping finishes its in-flight work first. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** Longest a stop may take after SIGTERM before the process exits anyway; below Kubernetes' 30 s grace. */
const stopTimeoutMs = 25_000;

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
 * drains, within stopTimeoutMs), exit 0. A failure to start, or to stop
 * cleanly, exits 1. A signal that arrives while the service is still starting
 * aborts a step waiting for a dependency, or stops the service as soon as it
 * is up.
 */
export function runMain(start: (signal: AbortSignal) => Promise<Stoppable>, onError: (err: unknown) => void): void {
  const aborted = new AbortController();
  const stopSignal = untilStopSignal().then(() => aborted.abort());
  const run = async (): Promise<void> => {
    const service = await start(aborted.signal);
    await stopSignal;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`stop took longer than ${stopTimeoutMs} ms`)), stopTimeoutMs);
    });
    await Promise.race([service.stop(), timeout]).finally(() => clearTimeout(timer));
  };
  run().then(
    () => process.exit(0),
    (err: unknown) => {
      if (err instanceof StartAbortedError) process.exit(0);
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
  start: (config: C, logger: Logger, signal: AbortSignal) => Promise<Stoppable>,
): void {
  let logger: Logger | undefined;
  runMain(
    async (signal) => {
      const config = loadConfig();
      logger = createLogger(name, config.LOG_LEVEL);
      const tracing = initTracing({ serviceName: name, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
      const service = await start(config, logger, signal).catch(async (err: unknown) => {
        await tracing.shutdown();
        throw err;
      });
      return {
        async stop() {
          await service.stop();
          await tracing.shutdown();
        },
      };
    },
    (err) => (logger ? logger.fatal({ err }, `${name} failed`) : console.error(err)),
  );
}
