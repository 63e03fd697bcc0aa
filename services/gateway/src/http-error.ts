import { status, type ServiceError } from '@grpc/grpc-js';
import { InvalidArgumentError, type ErrorCode, type HeraldError } from '@herald/errors';
import { FIELD_METADATA_KEY } from '@herald/rpc';

/** An answer other than success: the status, a stable code, and the bad field when there is one. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  /** Seconds, for 429 and 503. */
  readonly retryAfter: number | undefined;

  constructor(
    httpStatus: number,
    code: string,
    message: string,
    options: { field?: string; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HttpError';
    this.status = httpStatus;
    this.code = code;
    this.field = options.field;
    this.retryAfter = options.retryAfter;
  }

  toJSON(): { error: { code: string; message: string; field?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

/** `a/b/0/c` (JSON pointer) as the field `a.b[0].c`. */
function fieldOfPointer(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : `${i === 0 ? '' : '.'}${part}`))
    .join('');
}

/**
 * A schema validation error (Ajv's, through Fastify) as the field it names,
 * relative to the validated value ('' for the value itself), and what is
 * wrong with it.
 */
export function validationProblem(error: {
  instancePath: string;
  params: Record<string, unknown>;
  message?: string | undefined;
}): { field: string; message: string } {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const leaf = params.missingProperty ?? params.additionalProperty;
  const base = fieldOfPointer(error.instancePath);
  return {
    field: leaf ? (base ? `${base}.${leaf}` : leaf) : base,
    message: params.additionalProperty ? 'is not a known field' : (error.message ?? 'is invalid'),
  };
}

export const unauthenticated = (message: string) => new HttpError(401, 'UNAUTHENTICATED', message);
export const notFound = (message: string) => new HttpError(404, 'NOT_FOUND', message);
export const invalid = (field: string, message: string) =>
  new HttpError(400, 'INVALID_ARGUMENT', `${field}: ${message}`, { field });

/** The one place a gRPC status becomes an HTTP status. */
const httpOf: Readonly<Partial<Record<status, number>>> = {
  [status.INVALID_ARGUMENT]: 400,
  [status.OUT_OF_RANGE]: 400,
  [status.UNAUTHENTICATED]: 401,
  [status.PERMISSION_DENIED]: 403,
  [status.NOT_FOUND]: 404,
  [status.ALREADY_EXISTS]: 409,
  [status.FAILED_PRECONDITION]: 409,
  [status.ABORTED]: 409,
  [status.RESOURCE_EXHAUSTED]: 429,
  [status.UNAVAILABLE]: 503,
  [status.DEADLINE_EXCEEDED]: 503,
};

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}

/**
 * A peer's refusal as the HTTP caller should see it. `rename` turns the
 * peer's field names into the API's (ingest's `recipients` are `users` here).
 */
export function fromGrpc(err: ServiceError, rename: (field: string) => string = (f) => f): HttpError {
  const httpStatus = httpOf[err.code] ?? 500;
  if (httpStatus === 500) return new HttpError(500, 'INTERNAL', 'internal error', { cause: err });
  const code = status[err.code] ?? 'UNKNOWN';
  if (httpStatus === 503) {
    return new HttpError(503, 'UNAVAILABLE', 'a service Herald depends on did not answer; retry', {
      retryAfter: 1,
      cause: err,
    });
  }
  const [peerField] = err.metadata?.get(FIELD_METADATA_KEY) ?? [];
  if (typeof peerField === 'string' && peerField !== '') {
    const field = rename(peerField);
    const message = err.details.startsWith(`${peerField}:`) ? field + err.details.slice(peerField.length) : err.details;
    return new HttpError(httpStatus, code, message, { field, cause: err });
  }
  return new HttpError(httpStatus, code, err.details, { cause: err });
}

/**
 * A peer's refusal of one item of a batch (`{code, message, field}`), as the
 * HTTP caller of a single call would have seen it from `fromGrpc`.
 */
export function peerItemError(
  error: { code: string; message: string; field: string },
  rename: (field: string) => string = (f) => f,
): HttpError {
  const httpStatus = (httpOfCode as Readonly<Record<string, number>>)[error.code] ?? 500;
  if (httpStatus === 500) return new HttpError(500, 'INTERNAL', 'internal error', { cause: error });
  if (httpStatus === 503) {
    return new HttpError(503, 'UNAVAILABLE', 'a service Herald depends on did not answer; retry', {
      retryAfter: 1,
      cause: error,
    });
  }
  if (error.field !== '') {
    const field = rename(error.field);
    const message = error.message.startsWith(`${error.field}:`)
      ? field + error.message.slice(error.field.length)
      : error.message;
    return new HttpError(httpStatus, error.code, message, { field, cause: error });
  }
  return new HttpError(httpStatus, error.code, error.message, { cause: error });
}

/** The HTTP status of each of Herald's own error codes (a shared lib's refusal, e.g. of a token). */
const httpOfCode: Readonly<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  FAILED_PRECONDITION: 409,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** A HeraldError raised in the gateway's own process, as the HTTP caller should see it. */
export function fromHerald(err: HeraldError): HttpError {
  const httpStatus = httpOfCode[err.code];
  if (httpStatus === 500) return new HttpError(500, 'INTERNAL', 'internal error', { cause: err });
  if (httpStatus === 503) return new HttpError(503, 'UNAVAILABLE', err.message, { retryAfter: 1, cause: err });
  const field = err instanceof InvalidArgumentError ? err.field : undefined;
  return new HttpError(httpStatus, err.code, err.message, { ...(field ? { field } : {}), cause: err });
}
