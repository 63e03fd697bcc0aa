import { HeraldError, UnavailableError } from './errors.js';

/**
 * Names the NATS client gives the errors of a broker out of reach for now:
 * a request or publish that timed out, nobody listening, a connection lost
 * or closing.
 */
const natsOutages = new Set([
  'TimeoutError',
  'NoResponders',
  'NoRespondersError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'ConnectionError',
]);

/** Socket errors of a peer that is down, restarting or unreachable. */
const socketOutages = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * SQLSTATEs of a PostgreSQL that cannot serve now: class 08 (connection
 * exception), shutting down or starting up (57P01-57P03), too many
 * connections (53300).
 */
function isPostgresOutage(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/** node-postgres reports a lost connection or an exhausted pool by message alone. */
const postgresOutageMessages = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
];

function isOutage(err: object): boolean {
  const { name, code, message } = err as { name?: unknown; code?: unknown; message?: unknown };
  if (typeof name === 'string' && natsOutages.has(name)) return true;
  if (typeof code === 'string' && (socketOutages.has(code) || isPostgresOutage(code))) return true;
  return typeof message === 'string' && postgresOutageMessages.some((m) => message.startsWith(m));
}

/**
 * True when `err` (or anything in its cause chain, or any error of an
 * AggregateError) is a transient fault of a dependency — NATS or PostgreSQL
 * out of reach — that a later retry may not meet.
 */
export function isTransient(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 8) return false;
  if (err instanceof UnavailableError) return true;
  if (isOutage(err)) return true;
  if (err instanceof AggregateError && err.errors.some((e) => isTransient(e, depth + 1))) return true;
  return 'cause' in err && isTransient(err.cause, depth + 1);
}

/**
 * The one mapping of failures to Herald's codes: a HeraldError keeps its
 * code, a transient fault of a dependency becomes UNAVAILABLE, and anything
 * else is undefined (an internal error, whose details stay inside).
 */
export function classify(err: unknown): HeraldError | undefined {
  if (err instanceof HeraldError) return err;
  if (isTransient(err)) return new UnavailableError('a dependency is unavailable; retry later', { cause: err });
  return undefined;
}
