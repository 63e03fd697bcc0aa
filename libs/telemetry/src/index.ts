export { createLogger } from './logger.js';
export type { Logger, LogLevel } from './logger.js';
export {
  initTracing,
  tracer,
  withSpan,
  injectContext,
  extractContext,
  annotateSpan,
  carriesContext,
  spanRecording,
  tracingRecords,
} from './tracing.js';
export type { TracingOptions, SpanOptions, CarrierSetter, CarrierGetter, TraceContext } from './tracing.js';
