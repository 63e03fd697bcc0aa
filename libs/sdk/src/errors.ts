/** Why a call of `APP.notifications` was refused: the same codes and field names as the HTTP API. */
export type HeraldErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'NOT_CONFIGURED'
  | 'UNAVAILABLE'
  | 'RATE_LIMITED'
  | 'INTERNAL'
  | (string & {});

export class HeraldError extends Error {
  override readonly name = 'HeraldError';
  readonly code: HeraldErrorCode;
  /** The bad parameter, for INVALID_ARGUMENT: `header`, `text.header`, `element.type`. */
  readonly field: string | undefined;
  /** The HTTP status of the gateway's answer, when there was one. */
  readonly status: number | undefined;

  constructor(
    code: HeraldErrorCode,
    message: string,
    options: { field?: string; status?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
    this.status = options.status;
  }
}
