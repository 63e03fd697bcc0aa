import { JetStreamApiError } from '@nats-io/jetstream';

/** A JetStream API error with this code (e.g. stream or consumer not found). */
export function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}
