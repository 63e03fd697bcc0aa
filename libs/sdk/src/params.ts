import * as z from 'zod/mini';
import { HeraldError } from './errors.js';
import { isSafeLink } from './links.js';

/** Limits of ingest (services/ingest/src/validate.ts): text beyond them is refused, never cut. */
export const limits = {
  header: 255,
  text: 4_000,
  link: 2_048,
  name: 255,
  maxDate: 253_402_300_799,
} as const;

const bounded = (max: number) =>
  z.string('must be a string').check(
    z.maxLength(max, `must be at most ${max} characters`),
    z.refine((value) => !value.includes('\0'), 'must not contain NUL characters'),
  );
const text = (max: number) => bounded(max).check(z.refine((value) => value.trim().length > 0, 'must not be empty'));
const link = z.optional(
  bounded(limits.link).check(z.refine(isSafeLink, 'must be an http(s) URL or a path starting with /')),
);
const httpUrl = z.optional(
  bounded(limits.link).check(
    z.refine((value) => value.startsWith('http') && isSafeLink(value), 'must be an http(s) URL'),
  ),
);
const date = z.optional(
  z
    .number('must be a Unix timestamp in seconds')
    .check(
      z.int('must be whole seconds'),
      z.minimum(0, 'must be a Unix timestamp in seconds'),
      z.maximum(limits.maxDate, 'must be a Unix timestamp in seconds'),
    ),
);

/** The parameters of each call, exactly as seeds/003 names and nests them; unknown fields are refused. */
export const methodParams = {
  show_message: z.strictObject({ header: text(limits.header), text: text(limits.text), date, icon: httpUrl }),
  show_message_error: z.strictObject({ header: text(limits.header), text: text(limits.text), date, link }),
  show_notification: z.strictObject({
    text: z.strictObject({ header: text(limits.header), text: text(limits.text) }, 'is required: {header, text}'),
    date,
    type: z.enum(['call', 'error'], 'must be call or error'),
  }),
  add_error: z.strictObject({ header: z.optional(bounded(limits.header)), text: text(limits.text), date, link }),
  add_call: z.strictObject({
    text: text(limits.text),
    date,
    from: z.optional(bounded(limits.name)),
    to: z.optional(bounded(limits.name)),
    element: z.optional(
      z.strictObject({
        id: z
          .number('must be a positive entity id')
          .check(z.int('must be a positive entity id'), z.positive('must be a positive entity id')),
        type: z.enum(['contact', 'lead', 'company'], 'must be contact, lead or company'),
      }),
    ),
    duration: z.optional(
      z
        .number('must be seconds')
        .check(
          z.int('must be whole seconds'),
          z.minimum(0, 'must be at least 0'),
          z.maximum(86_400, 'must be at most 86400 seconds'),
        ),
    ),
    link,
  }),
} as const;

export type Method = keyof typeof methodParams;
export const methods = Object.keys(methodParams) as Method[];
export type Params<M extends Method> = z.infer<(typeof methodParams)[M]>;

/** `a.b[0].c`, as the server names a field. */
function fieldOf(path: readonly PropertyKey[]): string {
  let field = '';
  for (const key of path) field += typeof key === 'number' ? `[${key}]` : (field ? '.' : '') + String(key);
  return field;
}

/** The parameters of `method`, or a HeraldError naming the first bad field, as the server would. */
export function validate<M extends Method>(method: M, params: unknown): Params<M> {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new HeraldError('INVALID_ARGUMENT', `${method}: the parameters must be an object`, { field: 'params' });
  }
  const result = methodParams[method].safeParse(params);
  if (result.success) return result.data as Params<M>;
  const [issue] = result.error.issues;
  const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const path = [...(issue?.path ?? []), ...(unknownKey === undefined ? [] : [unknownKey])];
  const field = fieldOf(path) || 'params';
  const message = unknownKey === undefined ? (issue?.message ?? 'is invalid') : 'is not a known field';
  const given = (issue?.path ?? []).reduce<unknown>(
    (value, key) =>
      typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined,
    params,
  );
  const missing = unknownKey === undefined && issue?.code === 'invalid_type' && given === undefined;
  throw new HeraldError('INVALID_ARGUMENT', `${field}: ${missing ? 'is required' : message}`, { field });
}
