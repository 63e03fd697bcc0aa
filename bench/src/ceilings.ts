/**
 * What the parts underneath Herald do on this machine, each alone, driven
 * from Node as Herald drives them: the ceilings every target is a ratio of.
 *
 * - JetStream publish: acked publishes from one connection, 512 awaiting their ack.
 * - JetStream consume: one durable pull consumer acking every message.
 * - PostgreSQL insert: multi-row inserts (unnest, 500 rows) into a table with
 *   the inbox's own migration (its primary key and indexes), one connection.
 * - Fastify: one bare POST route in its own process, 64 callers over keep-alive.
 * - gRPC: one bare unary call in its own process, 64 callers on one channel.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { credentials, makeGenericClientConstructor, type Client } from '@grpc/grpc-js';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { Pool } from 'undici';
import { dropSchemas, exitOf, repoRoot, testEnv, uniqueName } from '@herald/testing';
import { echoService } from './bare-servers.js';
import { closedLoop, count } from './load.js';

export interface Ceilings {
  /** Acked JetStream publishes a second. */
  jetstreamPublish: number;
  /** Messages a second handed to one pull consumer and acked. */
  jetstreamConsume: number;
  /** Inbox rows a second in multi-row inserts. */
  postgresInsert: number;
  /** Requests a second on a bare Fastify route. */
  fastify: number;
  /** Calls a second of a bare gRPC unary method. */
  grpc: number;
}

/** Before a server's figure: the first calls pay for connections and compilation. */
const warmUpSeconds = 1;

/** A notification's size on the wire, about: the payload of every JetStream figure. */
const payload = new Uint8Array(400).fill(7);

async function jetstreamCeilings(seconds: number): Promise<Pick<Ceilings, 'jetstreamPublish' | 'jetstreamConsume'>> {
  const nc = await connect({ servers: testEnv.natsUrl, name: 'bench-ceiling' });
  const stream = uniqueName('bench_ceiling_');
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  try {
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    let published = 0;
    const window = 512;
    const began = performance.now();
    const end = began + seconds * 1000;
    await Promise.all(
      Array.from({ length: window }, async () => {
        while (performance.now() < end) {
          const n = published++;
          await js.publish(`${stream}.n`, payload, { msgID: `m${n}` });
        }
      }),
    );
    const jetstreamPublish = published / ((performance.now() - began) / 1000);

    await jsm.consumers.add(stream, { durable_name: 'ceiling', ack_policy: AckPolicy.Explicit });
    const consumer = await js.consumers.get(stream, 'ceiling');
    const messages = await consumer.consume({ max_messages: 1000 });
    const start = performance.now();
    let consumed = 0;
    for await (const msg of messages) {
      msg.ack();
      if (++consumed === published) break;
    }
    const jetstreamConsume = consumed / ((performance.now() - start) / 1000);
    await messages.close();
    return { jetstreamPublish, jetstreamConsume };
  } finally {
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  }
}

async function postgresCeiling(seconds: number): Promise<number> {
  const schema = uniqueName('bench_ceiling_');
  const db = new pg.Client({ connectionString: testEnv.databaseUrl });
  await db.connect();
  try {
    const migration = await readFile(`${repoRoot}services/interface/migrations/0001_inbox.sql`, 'utf8');
    await db.query(`CREATE SCHEMA "${schema}"; SET search_path TO "${schema}"; ${migration}`);
    const rowsPer = 500;
    const blob = Buffer.alloc(300, 7);
    const result = await closedLoop(1, seconds, async (i) => {
      const ids = Array.from({ length: rowsPer }, (_, j) => `n${i}-${j}`);
      await db.query(
        `INSERT INTO inbox_items (account_id, user_id, notification_id, provider_id, occurred_at, notification, rendered)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::bytea[], $7::bytea[])
         ON CONFLICT DO NOTHING`,
        [
          ids.map(() => 'bench'),
          ids.map((_, j) => `u${j % 100}`),
          ids,
          ids.map(() => 'bench'),
          ids.map(() => new Date()),
          ids.map(() => blob),
          ids.map(() => blob),
        ],
      );
      return rowsPer;
    });
    return result.units / result.seconds;
  } finally {
    await db.end();
    await dropSchemas(schema);
  }
}

async function bareServer(kind: 'fastify' | 'grpc'): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(new URL('./bare-servers.js', import.meta.url)), [kind], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  return { child, port };
}

async function fastifyCeiling(seconds: number): Promise<number> {
  const { child, port } = await bareServer('fastify');
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 64 });
  try {
    const body = JSON.stringify({ n: 1, text: 'x'.repeat(200) });
    const call = async () => {
      const { statusCode, body: answer } = await pool.request({
        method: 'POST',
        path: '/echo',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await answer.text();
      if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`);
      return 1;
    };
    await closedLoop(64, warmUpSeconds, call);
    const result = await closedLoop(64, seconds, call);
    return result.calls / result.seconds;
  } finally {
    await pool.close();
    child.kill('SIGTERM');
    await exitOf(child);
  }
}

type EchoClient = Client & {
  Echo(request: Buffer, options: { deadline: number }, callback: (err: Error | null) => void): void;
};

async function grpcCeiling(seconds: number): Promise<number> {
  const { child, port } = await bareServer('grpc');
  const Echo = makeGenericClientConstructor(echoService, 'bench.Echo');
  const client = new Echo(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as EchoClient;
  try {
    const request = Buffer.alloc(250, 7);
    const call = () =>
      new Promise<number>((resolve, reject) =>
        client.Echo(request, { deadline: Date.now() + 10_000 }, (err) => (err ? reject(err) : resolve(1))),
      );
    await closedLoop(64, warmUpSeconds, call);
    const result = await closedLoop(64, seconds, call);
    return result.calls / result.seconds;
  } finally {
    client.close();
    child.kill('SIGTERM');
    await exitOf(child);
  }
}

/** Each ceiling in turn (never two at once: they would share the 2 cores). */
export async function measureCeilings(seconds: number): Promise<Ceilings> {
  const { jetstreamPublish, jetstreamConsume } = await jetstreamCeilings(seconds);
  const postgresInsert = await postgresCeiling(seconds);
  const fastify = await fastifyCeiling(seconds);
  const grpc = await grpcCeiling(seconds);
  return { jetstreamPublish, jetstreamConsume, postgresInsert, fastify, grpc };
}

export function printCeilings(c: Ceilings): void {
  console.log('stage ceilings (each alone, driven from Node):');
  console.log(`  JetStream publish, acked:       ${count(c.jetstreamPublish)} msgs/s`);
  console.log(`  JetStream pull consume + ack:   ${count(c.jetstreamConsume)} msgs/s`);
  console.log(`  PostgreSQL multi-row insert:    ${count(c.postgresInsert)} inbox rows/s`);
  console.log(`  bare Fastify route, 64 callers: ${count(c.fastify)} requests/s`);
  console.log(`  bare gRPC unary, 64 callers:    ${count(c.grpc)} calls/s`);
}
