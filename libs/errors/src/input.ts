import { z } from 'zod';
import { InvalidArgumentError } from './errors.js';

/** At most this many characters of a bad value are echoed back in an error. */
const echoed = 40;

/** A bad value as an error may show it: quoted, and cut to a short prefix. */
export function preview(value: string): string {
  return JSON.stringify(value.length > echoed ? `${value.slice(0, echoed)}…` : value);
}

/**
 * A string bounded before anything else looks at it (a huge value costs no
 * parse, no copy), then free of NUL, which PostgreSQL refuses in text.
 */
export function boundedString(max: number, tooLong = `must be at most ${max} characters`) {
  return z
    .string()
    .max(max, { message: tooLong, abort: true })
    .refine((value) => !value.includes('\0'), { message: 'must not contain NUL characters', abort: true });
}

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A zod path as the caller names the field on the wire: `text.header`, `recipients[2]`, `user.account_id`. */
export function fieldOfPath(path: readonly PropertyKey[], prefix = ''): string {
  let field = prefix;
  for (const key of path) {
    if (typeof key === 'number') field += `[${key}]`;
    else field += (field ? '.' : '') + snake(String(key));
  }
  return field || 'request';
}

/**
 * Parses a request (or a part of one, whose field names start with `prefix`)
 * and returns what the schema makes of it, or throws InvalidArgumentError
 * naming the field of the first problem.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const [issue] = result.error.issues;
    throw new InvalidArgumentError(fieldOfPath(issue?.path ?? [], prefix), issue?.message ?? 'is invalid');
  }
  return result.data;
}
