import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino } from 'pino';

export type Logger = pino.Logger;
export type LogLevel = pino.LevelWithSilent;

/** Structured JSON logs; each line carries the active trace and span ids. */
export function createLogger(service: string, level: LogLevel = 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const spanContext = span.spanContext();
      if (!isSpanContextValid(spanContext)) return {};
      const { traceId, spanId } = spanContext;
      return { trace_id: traceId, span_id: spanId };
    },
  });
}
