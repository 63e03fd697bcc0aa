import { join } from 'node:path';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { repoRoot } from '@herald/testing';

/**
 * What a property throws at a call:
 * - `values`: every field of the right wire type, holding random unicode, plausible ids and numbers in range, some missing;
 * - `odd`: one string a caller might well send but should be refused (an unknown time zone, a cursor from the year
 *   -200000) or random unicode, every other field present and plausible;
 * - `nul`: one string holding a NUL character, every other field present and plausible;
 * - `huge`: one string of 1 MB, every other field present and plausible;
 * - `integers`: integer fields past 2^53 (and past 2^32 where the field is 32-bit), negative where unsigned;
 * - `wire-types`: a well-formed request followed by fields of a wrong wire type, and invalid ones;
 * - `bytes`: random bytes;
 * - `truncated`: a well-formed request cut short.
 */
export type Mode = 'values' | 'odd' | 'nul' | 'huge' | 'integers' | 'wire-types' | 'bytes' | 'truncated';

export const modes: readonly Mode[] = ['values', 'odd', 'nul', 'huge', 'integers', 'wire-types', 'bytes', 'truncated'];

/** The modes that aim at one string field at a time, every other field plausible. */
export const targeted: ReadonlySet<Mode> = new Set(['odd', 'nul', 'huge']);

/** One gRPC method, as the .proto files declare it. */
export interface Method {
  service: string;
  name: string;
  /** The HTTP/2 path: /herald.v1.Inbox/List */
  path: string;
  request: protobuf.Type;
}

/** Every method of the services, read from proto/ (the one source of the contracts). */
export function methodsOf(services: readonly string[]): Method[] {
  const root = new protobuf.Root();
  const protoDir = join(repoRoot, 'proto');
  root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : join(protoDir, target));
  root.loadSync([
    'herald/v1/ingest.proto',
    'herald/v1/directory.proto',
    'herald/v1/inbox.proto',
    'herald/v1/preferences.proto',
  ]);
  root.resolveAll();
  return services.flatMap((name) => {
    const service = root.lookupService(name);
    return service.methodsArray.map((method) => ({
      service: name,
      name: method.name,
      path: `/${name}/${method.name}`,
      request: method.resolvedRequestType!,
    }));
  });
}

const integerTypes = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64']);

/** Whether a message holds an integer or enum field anywhere. */
export function hasIntegers(type: protobuf.Type): boolean {
  return type.fieldsArray.some(
    (field) =>
      integerTypes.has(field.type) ||
      field.resolvedType instanceof protobuf.Enum ||
      (field.resolvedType instanceof protobuf.Type && hasIntegers(field.resolvedType)),
  );
}

/** Plausible values by field name (camelCase), so that calls get past the first check and into the service. */
export interface Hints {
  /** Strings the services take. */
  valid: Readonly<Record<string, readonly string[]>>;
  /** Strings they should refuse, though a caller might well send them. */
  odd: Readonly<Record<string, fc.Arbitrary<string>>>;
  /** Integers they take. */
  numbers: Readonly<Record<string, readonly number[]>>;
}

/** One encoded field (tag and value), or nothing for a missing one. */
type Encoded = (writer: BinaryWriter) => void;

const MEGABYTE = 1 << 20;

/** Text with no NUL: any code point, graphemes, and a few that trip parsers. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replaceAll('\0', '')),
  fc.constantFrom('', ' ', '%s%n', "'; DROP TABLE x; --", '../../etc/passwd', '\u202e', '\ud800', 'Europe/Madrid'),
);

/** Integers far out of a JavaScript number's exact range, and of 32 bits. */
const bigIntegers = fc.oneof(
  fc.bigInt({ min: 2n ** 53n + 1n, max: 2n ** 64n - 1n }),
  fc.bigInt({ min: -(2n ** 63n), max: -(2n ** 53n) - 1n }),
  fc.constantFrom(2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 64n - 1n, -(2n ** 63n), 2n ** 32n),
);

function writeVarint(writer: BinaryWriter, value: bigint): void {
  if (value < 0n) writer.int64(value);
  else writer.uint64(value);
}

/** How to fill a message: integers out of range, or one string field (by path) made bad while the rest are plausible. */
interface Plan {
  integers: boolean;
  target?: { path: string; kind: 'odd' | 'nul' | 'huge' };
}

/** Arbitrary encodings of a request message, field by field, from its descriptor. */
export class RequestArbitraries {
  constructor(private readonly hints: Hints) {}

  /** The whole request, encoded, for a mode; for `nul` and `huge`, with the bad string in the field at `path`. */
  request(type: protobuf.Type, mode: Mode, path?: string): fc.Arbitrary<Uint8Array> {
    switch (mode) {
      case 'values':
        return this.message(type, { integers: false });
      case 'integers':
        return this.message(type, { integers: true });
      case 'odd':
      case 'nul':
      case 'huge':
        if (path !== undefined) return this.message(type, { integers: false, target: { path, kind: mode } });
        return fc.constantFrom(...stringPaths(type)).chain((p) => this.request(type, mode, p));
      case 'wire-types':
        return fc
          .tuple(this.message(type, { integers: false }), fc.array(wrongField(type), { minLength: 1, maxLength: 3 }))
          .map(([valid, wrong]) => {
            const writer = new BinaryWriter();
            writer.raw(valid);
            for (const write of wrong) write(writer);
            return writer.finish();
          });
      case 'bytes':
        return fc.uint8Array({ maxLength: 256 });
      case 'truncated':
        return this.message(type, { integers: false })
          .filter((bytes) => bytes.length > 1)
          .chain((bytes) => fc.integer({ min: 1, max: bytes.length - 1 }).map((cut) => bytes.slice(0, cut)));
    }
  }

  private message(type: protobuf.Type, plan: Plan, prefix = '', depth = 0): fc.Arbitrary<Uint8Array> {
    const fields = type.fieldsArray.map((field) => {
      const value = this.field(field, plan, `${prefix}${field.name}`, depth);
      // With a target, every field is there, so the bad one is what the service meets.
      return plan.target ? value : fc.option(value, { nil: undefined, freq: 3 });
    });
    return fc.tuple(...fields).map((encoded) => {
      const writer = new BinaryWriter();
      for (const write of encoded) write?.(writer);
      return writer.finish();
    });
  }

  private field(field: protobuf.Field, plan: Plan, path: string, depth: number): fc.Arbitrary<Encoded> {
    const one = this.single(field, plan, path, depth);
    if (!field.repeated) return one;
    // With a target, one of each: four megabytes would pass the server's limit on a message.
    const list = plan.target ? fc.tuple(one) : fc.array(one, { maxLength: 4 });
    return list.map((items) => (writer: BinaryWriter) => items.forEach((write) => write(writer)));
  }

  private single(field: protobuf.Field, plan: Plan, path: string, depth: number): fc.Arbitrary<Encoded> {
    const no = field.id;
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) {
      if (depth > 3)
        return fc.constant((writer: BinaryWriter) => writer.tag(no, WireType.LengthDelimited).bytes(new Uint8Array()));
      return this.message(resolved, plan, `${path}.`, depth + 1).map(
        (bytes) => (writer: BinaryWriter) => writer.tag(no, WireType.LengthDelimited).bytes(bytes),
      );
    }
    if (field.type === 'string') {
      return this.string(field.name, plan, path).map(
        (value) => (writer: BinaryWriter) => writer.tag(no, WireType.LengthDelimited).string(value),
      );
    }
    if (field.type === 'bool') {
      const value = plan.integers ? bigIntegers : fc.constantFrom(0n, 1n);
      return value.map((v) => (writer: BinaryWriter) => writeVarint(writer.tag(no, WireType.Varint), v));
    }
    if (resolved instanceof protobuf.Enum || integerTypes.has(field.type)) {
      const inRange =
        resolved instanceof protobuf.Enum
          ? fc.integer({ min: -1, max: Object.keys(resolved.values).length + 1 }).map(BigInt)
          : fc
              .oneof(
                fc.integer({ min: 0, max: 300 }),
                fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }),
                // Unix seconds around now, and the far past and future a date field may get.
                fc.integer({ min: 0, max: 8_640_000_000_000 }),
              )
              .map((n) => BigInt(field.type.startsWith('uint') ? Math.abs(n) : n));
      // Around a bad string, a value every service takes: a declared enum value, a small count.
      const numbers = this.hints.numbers[field.name];
      const plausible = numbers
        ? fc.constantFrom(...numbers).map(BigInt)
        : resolved instanceof protobuf.Enum
          ? fc.constantFrom(...Object.values(resolved.values)).map(BigInt)
          : fc.integer({ min: 1, max: 60 }).map(BigInt);
      const value = plan.integers ? bigIntegers : plan.target ? plausible : inRange;
      return value.map((v) => (writer: BinaryWriter) => writeVarint(writer.tag(no, WireType.Varint), v));
    }
    throw new Error(`no arbitrary for field ${path} of type ${field.type}`);
  }

  private string(name: string, plan: Plan, path: string): fc.Arbitrary<string> {
    const valid = this.hints.valid[name];
    const hint = valid ? fc.constantFrom(...valid) : undefined;
    const odd = this.hints.odd[name];
    if (plan.target?.path === path) {
      if (plan.target.kind === 'odd') return odd ? fc.oneof(odd, text) : text;
      if (plan.target.kind === 'huge') {
        return fc
          .constantFrom('a', 'é', '😀')
          .map((unit) => unit.repeat(Math.ceil(MEGABYTE / Buffer.byteLength(unit))));
      }
      return fc
        .tuple(hint ?? text, fc.nat())
        .map(([value, at]) => `${value.slice(0, at % (value.length + 1))}\0${value.slice(at % (value.length + 1))}`);
    }
    // Around a bad field, plausible values: the service must get as far as that field.
    if (plan.target) return hint ?? text;
    return fc.oneof(
      ...(hint ? [{ arbitrary: hint, weight: 3 }] : []),
      ...(odd ? [{ arbitrary: odd, weight: 1 }] : []),
      { arbitrary: text, weight: 1 },
    );
  }
}

/** Paths of the string fields a request (or a message in it) has, e.g. `user.timezone`. */
export function stringPaths(type: protobuf.Type, prefix = '', depth = 0): string[] {
  return type.fieldsArray.flatMap((field) => {
    const path = `${prefix}${field.name}`;
    if (field.type === 'string') return [path];
    if (field.resolvedType instanceof protobuf.Type && depth < 2)
      return stringPaths(field.resolvedType, `${path}.`, depth + 1);
    return [];
  });
}

/**
 * A field of the message (or an unknown one) written with a wire type other
 * than its own, or with an invalid one: a varint where a string belongs, a
 * length past the end, wire types 6 and 7 that do not exist, an unmatched group.
 */
function wrongField(type: protobuf.Type): fc.Arbitrary<Encoded> {
  const numbers = [...type.fieldsArray.map((f) => f.id), 99, 536_870_911];
  const no = fc.constantFrom(...numbers);
  const own = (n: number): WireType | undefined => {
    const field = type.fieldsArray.find((f) => f.id === n);
    if (!field) return undefined;
    return field.type === 'string' || field.resolvedType instanceof protobuf.Type
      ? WireType.LengthDelimited
      : WireType.Varint;
  };
  return fc.oneof(
    fc.tuple(no, bigIntegers).map(([n, v]) => (writer: BinaryWriter) => {
      if (own(n) === WireType.Varint) writer.tag(n, WireType.LengthDelimited).bytes(new Uint8Array([1, 2, 3]));
      else writeVarint(writer.tag(n, WireType.Varint), v);
    }),
    fc.tuple(no, fc.integer()).map(
      ([n, v]) =>
        (writer: BinaryWriter) =>
          writer.tag(n, WireType.Bit32).fixed32(v >>> 0),
    ),
    fc.tuple(no, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map(
      ([n, v]) =>
        (writer: BinaryWriter) =>
          writer.tag(n, WireType.Bit64).fixed64(v),
    ),
    // A length that runs past the end of the message.
    no.map((n) => (writer: BinaryWriter) => writer.tag(n, WireType.LengthDelimited).uint32(1_000_000)),
    // Wire types 6 and 7 do not exist; 3 opens a group that is never closed.
    fc.tuple(no, fc.constantFrom(3, 4, 6, 7)).map(
      ([n, wt]) =>
        (writer: BinaryWriter) =>
          writer.uint32(((n << 3) | wt) >>> 0),
    ),
  );
}
