import {
  context,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  propagation,
  trace,
  SpanKind,
  SpanStatusCode,
  type Context,
  type Link,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP endpoint (e.g. http://collector:4318); spans are kept local when unset. */
  otlpEndpoint?: string | undefined;
  /** An exporter of the caller's, flushed span by span (tests). */
  exporter?: SpanExporter;
}

let provider: NodeTracerProvider | undefined;
let propagating = false;

/**
 * Registers the process's tracer provider and the W3C propagator, once.
 * With nowhere to export to, no provider is registered: spans stay the API's
 * no-op ones (recording nothing, costing next to nothing), while the context
 * manager and the propagator still carry a caller's trace context across gRPC
 * metadata and NATS headers. A later call with an exporter registers the
 * provider then.
 */
export function initTracing(options: TracingOptions): { shutdown(): Promise<void> } {
  if (!provider && !options.exporter && !options.otlpEndpoint) {
    if (!propagating) {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      propagation.setGlobalPropagator(
        new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
      );
      propagating = true;
    }
    return { shutdown: () => Promise.resolve() };
  }
  if (!provider) {
    if (propagating) {
      // The provider registers its own context manager and propagator.
      context.disable();
      propagation.disable();
    }
    const spanProcessors = [];
    if (options.exporter) spanProcessors.push(new SimpleSpanProcessor(options.exporter));
    if (options.otlpEndpoint) {
      const url = new URL('/v1/traces', options.otlpEndpoint).toString();
      spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
    }
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
      spanProcessors,
    });
    provider.register();
  }
  const registered = provider;
  return {
    async shutdown() {
      await registered.forceFlush();
    },
  };
}

export function tracer(name: string): Tracer {
  return trace.getTracer(name);
}

export interface SpanOptions {
  kind?: 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  /** The context to start from; the active one when unset. */
  parent?: Context;
  links?: Link[];
  attributes?: Record<string, string | number | boolean>;
}

const kinds = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
} as const;

/** Runs `fn` inside a new active span that records a thrown error and always ends. */
export async function withSpan<T>(
  scope: string,
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  if (!provider) {
    // Nothing records: the span would only carry the parent's own trace context, so the parent itself is
    // made active (when it is not already) and no span is built.
    const span = trace.wrapSpanContext(trace.getSpanContext(parent) ?? INVALID_SPAN_CONTEXT);
    return parent === context.active() ? fn(span) : context.with(parent, () => fn(span));
  }
  return trace
    .getTracer(scope)
    .startActiveSpan(
      name,
      { kind: kinds[options.kind ?? 'internal'], links: options.links, attributes: options.attributes },
      parent,
      async (span) => {
        try {
          return await fn(span);
        } catch (err) {
          span.recordException(err instanceof Error ? err : String(err));
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
          throw err;
        } finally {
          span.end();
        }
      },
    );
}

/** The trace context a message or call carries. */
export type TraceContext = Context;

export type CarrierSetter<C> = TextMapSetter<C>;
export type CarrierGetter<C> = TextMapGetter<C>;

/** Writes the trace context of `ctx` (the active one by default) into a carrier. */
export function injectContext<C>(carrier: C, setter: CarrierSetter<C>, ctx: Context = context.active()): void {
  propagation.inject(ctx, carrier, setter);
}

/** Reads a trace context from a carrier, as the parent of the spans started from it. */
export function extractContext<C>(carrier: C, getter: CarrierGetter<C>): Context {
  return propagation.extract(context.active(), carrier, getter);
}

/** Adds attributes to the active span (a no-op outside one, or in one that records nothing). */
export function annotateSpan(attributes: Record<string, string | number | boolean>): void {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.setAttributes(attributes);
}

/** True when spans are recorded at all (a provider with an exporter is registered). */
export function tracingRecords(): boolean {
  return provider !== undefined;
}

/** True when the active span records what is added to it: worth building its attributes. */
export function spanRecording(): boolean {
  return trace.getActiveSpan()?.isRecording() ?? false;
}

/**
 * True when `ctx` (the active one by default) holds a trace or baggage to
 * pass on; false lets a caller skip the carrier altogether.
 */
export function carriesContext(ctx: Context = context.active()): boolean {
  const spanContext = trace.getSpanContext(ctx);
  return (spanContext !== undefined && isSpanContextValid(spanContext)) || propagation.getBaggage(ctx) !== undefined;
}
