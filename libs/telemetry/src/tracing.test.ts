import { describe, expect, it } from '@jest/globals';
import { annotateSpan, carriesContext, extractContext, initTracing, injectContext, withSpan } from './tracing.js';

type Carrier = Record<string, string>;
const getter = { get: (c: Carrier, k: string) => c[k], keys: (c: Carrier) => Object.keys(c) };
const setter = { set: (c: Carrier, k: string, v: string) => (c[k] = v) };

describe('tracing with nowhere to export to', () => {
  initTracing({ serviceName: 'quiet' });

  it('records nothing, yet passes a caller’s trace context on through its spans', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const parent = extractContext({ traceparent }, getter);
    const outgoing: Carrier = {};
    const recording = await withSpan('test', 'quiet span', { parent }, async (span) => {
      annotateSpan({ 'herald.test': 1 });
      expect(carriesContext()).toBe(true);
      injectContext(outgoing, setter);
      return span.isRecording();
    });
    expect(recording).toBe(false);
    expect(outgoing['traceparent']).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  });

  it('adds no carrier to what is done outside any trace', async () => {
    const outgoing: Carrier = {};
    await withSpan('test', 'untraced', {}, async () => {
      expect(carriesContext()).toBe(false);
      injectContext(outgoing, setter);
    });
    expect(outgoing).toEqual({});
  });
});
