import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { credentials, makeGenericClientConstructor, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { AddErrorRequest, NotificationIngestService, type NotificationIngestServer } from '@herald/contracts';
import { metricsText } from '@herald/metrics';
import { freePort, testEnv, testLogger } from '@herald/testing';
import { startRpcServer, unary, type RpcServer } from './index.js';

const name = 'herald.v1.NotificationIngest';
const addError = `/${name}/AddError`;

/** What AddError throws, chosen by the spec at hand. */
let fault: () => Promise<never> = () => Promise.reject(new Error('no fault chosen'));

/** A client that sends whatever bytes it is given, as a broken or hostile caller would. */
const RawClient = makeGenericClientConstructor(
  {
    addError: {
      path: addError,
      requestStream: false,
      responseStream: false,
      requestSerialize: (bytes: Buffer) => bytes,
      requestDeserialize: (bytes: Buffer) => bytes,
      responseSerialize: (bytes: Buffer) => bytes,
      responseDeserialize: (bytes: Buffer) => bytes,
    },
  },
  name,
);

function callRaw(client: Client, bytes: Uint8Array): Promise<Buffer> {
  const method = (client as unknown as Record<string, unknown>)['addError'] as (
    request: Buffer,
    options: { deadline: number },
    callback: (err: ServiceError | null, reply: Buffer) => void,
  ) => void;
  return new Promise((resolve, reject) =>
    method.call(client, Buffer.from(bytes), { deadline: Date.now() + 5_000 }, (err, reply) =>
      err ? reject(err) : resolve(reply),
    ),
  );
}

/** A valid AddError request whose `date` (an int64) is `date`, encoded by hand past what a JS number holds. */
function withDate(date: bigint): Uint8Array {
  const head = AddErrorRequest.encode(AddErrorRequest.fromPartial({ header: 'h', text: 't' })).finish();
  const varint: number[] = [];
  for (let v = date; ; v >>= 7n) {
    if (v < 0x80n) {
      varint.push(Number(v));
      break;
    }
    varint.push(Number(v & 0x7fn) | 0x80);
  }
  return Uint8Array.from([...head, 3 << 3, ...varint]);
}

describe('unary', () => {
  let server: RpcServer;
  let client: Client;

  beforeAll(async () => {
    const logger = testLogger();
    const reject = unary(`${name}/AddError`, logger, () => fault());
    server = await startRpcServer({
      host: '127.0.0.1',
      port: 0,
      logger,
      services: [
        {
          name,
          definition: NotificationIngestService,
          implementation: { addError: reject } as unknown as NotificationIngestServer,
        },
      ],
    });
    client = new RawClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await server.shutdown(1_000);
  });

  it('answers UNAVAILABLE when NATS has nobody to answer', async () => {
    const nc = await connect({ servers: testEnv.natsUrl });
    const noResponders = await nc.request('herald.nobody.listens', '', { timeout: 2_000 }).then(
      () => new Error('someone answered'),
      (err: unknown) => err,
    );
    await nc.close();
    fault = () => Promise.reject(noResponders);
    await expect(callRaw(client, new Uint8Array())).rejects.toMatchObject({
      code: status.UNAVAILABLE,
    });
  });

  it('answers UNAVAILABLE when PostgreSQL cannot be reached', async () => {
    const port = await freePort();
    const refused = await new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` })
      .connect()
      .then(
        () => new Error('connected'),
        (err: unknown) => err,
      );
    fault = () => Promise.reject(refused);
    await expect(callRaw(client, new Uint8Array())).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });

  it('answers INTERNAL, without details, for anything else', async () => {
    fault = () => Promise.reject(new Error('secret detail'));
    const err = await callRaw(client, new Uint8Array()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: status.INTERNAL, details: 'internal error' });
  });

  it.each([
    ['an int64 past 2^53', withDate(2n ** 60n)],
    ['random bytes', Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f])],
    [
      'a truncated message',
      AddErrorRequest.encode(AddErrorRequest.fromPartial({ text: 'x'.repeat(40) }))
        .finish()
        .slice(0, 10),
    ],
  ])('answers INVALID_ARGUMENT for a request it cannot decode: %s', async (_, bytes) => {
    fault = () => Promise.reject(new Error('the method must not run'));
    const err = await callRaw(client, bytes).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: status.INVALID_ARGUMENT });
    expect((err as ServiceError).metadata.get('herald-field')).toEqual(['request']);
  });

  it('counts calls by method and status', async () => {
    const text = await metricsText();
    expect(text).toMatch(
      /herald_rpc_server_duration_seconds_count\{method="herald.v1.NotificationIngest\/AddError",code="UNAVAILABLE"\} [1-9]/,
    );
    expect(text).toMatch(
      /herald_rpc_server_duration_seconds_count\{method="herald.v1.NotificationIngest\/AddError",code="INVALID_ARGUMENT"\} [1-9]/,
    );
  });
});
