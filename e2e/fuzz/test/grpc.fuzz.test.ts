/**
 * Every gRPC call of the built services, fuzzed: whatever a caller sends, the
 * answer is a status that names the caller's mistake (or success), never
 * INTERNAL or UNKNOWN, within a deadline, with the service still healthy after.
 *
 *   HERALD_FUZZ_RUNS=500 HERALD_FUZZ_SEED=7 pnpm run jest e2e/fuzz   (a longer run, another seed)
 *   HERALD_FUZZ_KNOWN=run pnpm run jest e2e/fuzz                       (the known defects too)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { RawClient, type Answer } from './raw-client.js';
import { knownDefects } from './known-defects.js';
import { startFuzzStack, type FuzzStack, type ServiceName } from './stack.js';
import {
  hasIntegers,
  methodsOf,
  modes,
  RequestArbitraries,
  stringPaths,
  targeted,
  type Hints,
  type Method,
  type Mode,
} from './wire.js';

const runs = Number(process.env['HERALD_FUZZ_RUNS'] ?? 8);
const seed = Number(process.env['HERALD_FUZZ_SEED'] ?? 20_261_129);
const withKnownDefects = process.env['HERALD_FUZZ_KNOWN'] === 'run';
/** A call that takes longer has hung. */
const deadlineMs = 5_000;
/** An error may quote a short prefix of a bad value, never the value. */
const longestDetails = 1_024;

/** Answers a caller's bad input may get. Anything else is the service's fault (UNAVAILABLE: it died). */
const callerStatuses = new Set<status>([
  status.OK,
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.ALREADY_EXISTS,
  status.PERMISSION_DENIED,
  status.UNAUTHENTICATED,
  status.FAILED_PRECONDITION,
  status.OUT_OF_RANGE,
  status.RESOURCE_EXHAUSTED,
]);

/** Modes whose requests decode: their refusals must name the field. */
const decodable = new Set<Mode>(['values', 'odd', 'nul', 'huge']);

const serviceOf: Readonly<Record<string, ServiceName>> = {
  'herald.v1.NotificationIngest': 'ingest',
  'herald.v1.Directory': 'preferences',
  'herald.v1.Preferences': 'preferences',
  'herald.v1.Inbox': 'interface',
};

const methods = methodsOf(Object.keys(serviceOf));

function problemOf(answer: Answer, mode: Mode): string | undefined {
  const name = status[answer.code];
  if (!callerStatuses.has(answer.code)) return `answered ${name}: ${answer.details.slice(0, 200)}`;
  if (answer.details.length > longestDetails)
    return `answered ${name} with ${answer.details.length} characters of details`;
  if (answer.code === status.INVALID_ARGUMENT && decodable.has(mode) && !answer.field) {
    return `answered INVALID_ARGUMENT without naming the field: ${answer.details.slice(0, 200)}`;
  }
  return undefined;
}

/** Request bytes that print as their length and first bytes, not as a megabyte of numbers. */
function printable(bytes: Uint8Array): { bytes: Uint8Array; [fc.toStringMethod]: () => string } {
  const head = Buffer.from(bytes.subarray(0, 48)).toString('hex');
  return { bytes, [fc.toStringMethod]: () => `${bytes.length} bytes: ${head}${bytes.length > 48 ? '…' : ''}` };
}

function hintsOf(stack: FuzzStack): Hints {
  const { seeded } = stack;
  const cursor = fc
    .record({
      // The order of the seeded user's list, so the cursor's position is what gets used.
      o: fc.constantFrom('unread_first', 'unread_first', 'oldest'),
      r: fc.boolean(),
      t: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.constantFrom('0001-01-01T00:00:00Z', '-271821-04-20T00:00:00Z', '+275760-09-13T00:00:00Z', 'yesterday'),
      ),
      id: fc.string(),
    })
    .map((value) => Buffer.from(JSON.stringify(value)).toString('base64url'));
  return {
    valid: {
      accountId: [seeded.accountId],
      userId: seeded.users,
      id: [seeded.accountId],
      recipients: seeded.users,
      apiKey: [seeded.apiKey],
      providerId: [seeded.providerId],
      keyId: [seeded.spareKeyId],
      notificationIds: seeded.notificationIds,
      cursor: [seeded.cursor],
      timezone: ['Europe/Madrid', 'Asia/Kolkata', 'UTC'],
      locale: ['en', 'ru', 'pt-BR'],
      digestTime: ['18:00', '00:00'],
      email: ['alice@example.com'],
      link: ['https://example.com/call/1', '/contacts/1'],
      iconUrl: ['https://example.com/icon.png'],
      type: ['call', 'error', 'contact', 'lead', 'company'],
      name: ['Acme', 'Telephony'],
      displayName: ['Alice'],
      text: ['Failed to set the task'],
      header: ['Error'],
    },
    odd: {
      accountId: fc.constantFrom('globex', 'a.b', '*'),
      userId: fc.constantFrom('u9', 'u1 ', '>'),
      recipients: fc.constantFrom('u9', ''),
      cursor,
      timezone: fc.constantFrom('Mars/Olympus_Mons', 'utc', '+05:30'),
      locale: fc.constantFrom('x-invalid-', 'en_US', '*'),
      digestTime: fc.constantFrom('24:00', '7:5', '18:00:00'),
      email: fc.constantFrom('not an address', '@'),
      link: fc.constantFrom('javascript:alert(1)', '//evil.example', 'data:text/html,x'),
      iconUrl: fc.constantFrom('data:image/png;base64,AAAA', 'ftp://x'),
    },
    numbers: {
      taskLeadMinutes: [5, 15, 30, 60],
      minutesBefore: [5, 15, 30, 60],
      pageSize: [1, 50, 200],
      // INBOX_ORDER_UNSPECIFIED and INBOX_ORDER_UNREAD_FIRST: the seeded user's order.
      order: [0, 1],
      duration: [0, 90],
      date: [1_700_000_000],
    },
  };
}

/** The bearer a call needs to get past authentication to the part being fuzzed. */
function bearerOf(method: Method, stack: FuzzStack): string | undefined {
  if (method.service === 'herald.v1.NotificationIngest') return stack.seeded.apiKey;
  if (method.service === 'herald.v1.Directory') return stack.adminToken;
  return undefined;
}

describe('every gRPC call, fuzzed', () => {
  let stack: FuzzStack;
  const clients = new Map<ServiceName, RawClient>();

  beforeAll(async () => {
    stack = await startFuzzStack();
    for (const service of ['ingest', 'preferences', 'interface'] as const) {
      clients.set(service, new RawClient(stack.address(service)));
    }
  }, 120_000);

  afterAll(async () => {
    for (const client of clients.values()) client.close();
    await stack?.stop();
  });

  const properties = methods.flatMap((method) =>
    modes
      .filter((mode) => mode !== 'integers' || hasIntegers(method.request))
      .map((mode) => ({ method, mode, name: `${method.service.replace('herald.v1.', '')}.${method.name} ${mode}` })),
  );

  it('knows its known defects by the names of real properties', () => {
    const names = new Set(properties.map((p) => p.name));
    expect(Object.keys(knownDefects).filter((name) => !names.has(name))).toEqual([]);
  });

  for (const { method, mode, name } of properties) {
    const defect = knownDefects[name];
    const title = defect ? `${name} (known defect: ${defect})` : name;
    const test = defect && !withKnownDefects ? it.skip : it;
    test(
      title,
      async () => {
        const service = serviceOf[method.service]!;
        const client = clients.get(service)!;
        const bearer = bearerOf(method, stack);
        const arbitraries = new RequestArbitraries(hintsOf(stack));
        const requests = arbitraries.request(method.request, mode).map(printable);
        // Each string field gets its turn at an odd value, a NUL and a megabyte, whatever the random runs pick.
        const examples = targeted.has(mode)
          ? stringPaths(method.request).map((path) => {
              const [bytes] = fc.sample(arbitraries.request(method.request, mode, path), { seed, numRuns: 1 });
              return [printable(bytes!)] as [ReturnType<typeof printable>];
            })
          : [];
        // The examples count as runs. A megabyte a run: one per field says as much as many random ones.
        const numRuns = examples.length + (mode === 'huge' ? 0 : runs);
        await fc.assert(
          fc.asyncProperty(requests, async ({ bytes }) => {
            const answer = await client.call(method.path, bytes, bearer, deadlineMs);
            expect(problemOf(answer, mode)).toBeUndefined();
          }),
          // Shrinking replays calls against a live service, whose state has moved on: the first failure says enough.
          { seed, numRuns, examples, endOnFailure: true },
        );
        await stack.healthy(service);
      },
      120_000,
    );
  }
});
