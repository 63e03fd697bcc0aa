/**
 * The stable codes every transport maps once: gRPC status, HTTP status,
 * NATS ack/nak/term. A caller's mistake is never INTERNAL.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'FAILED_PRECONDITION'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export class HeraldError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HeraldError';
    this.code = code;
  }
}

/** The caller sent something wrong; `field` names it (dotted path, e.g. `text.header`). */
export class InvalidArgumentError extends HeraldError {
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('INVALID_ARGUMENT', `${field}: ${message}`, options);
    this.name = 'InvalidArgumentError';
    this.field = field;
  }
}

export class NotFoundError extends HeraldError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOT_FOUND', message, options);
    this.name = 'NotFoundError';
  }
}

export class UnauthenticatedError extends HeraldError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNAUTHENTICATED', message, options);
    this.name = 'UnauthenticatedError';
  }
}

export class FailedPreconditionError extends HeraldError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FAILED_PRECONDITION', message, options);
    this.name = 'FailedPreconditionError';
  }
}

export class UnavailableError extends HeraldError {
  /** The least wait before a retry, in milliseconds, when the provider named one (Retry-After). */
  readonly retryAfterMs: number;

  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super('UNAVAILABLE', message, options);
    this.name = 'UnavailableError';
    this.retryAfterMs = options?.retryAfterMs ?? 0;
  }
}

export function isHeraldError(err: unknown): err is HeraldError {
  return err instanceof HeraldError;
}
