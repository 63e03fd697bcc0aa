/**
 * The fault suite: the built services as separate processes, against a NATS
 * and a PostgreSQL of the suite's own, take 10,000 notifications while, in
 * turn, each service is killed with SIGKILL and restarted, NATS restarts,
 * PostgreSQL is down for 30 s and 1,000 poison messages arrive. It prints what
 * became of the notifications sent during each fault, and fails on any
 * notification lost or stored twice, any service that exits, any refusal other
 * than a transient one, and any poison message not dead-lettered exactly once.
 *
 *   npm run test:faults
 *   FAULTS_NOTIFICATIONS=50000 FAULTS_RATE=300 npm run test:faults
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '@herald/bus';
import { eventually, freePort, seedAccount, testLogger } from '@herald/testing';
import { Census } from './census.js';
import { LoadGenerator, type Sent } from './load.js';
import { DeadLetters, publishPoison } from './poison.js';
import { Figures, type PhaseRecord } from './report.js';
import { PrivateNats, PrivatePostgres } from './servers.js';
import { Services, type ServiceName } from './services.js';

const total = Number(process.env['FAULTS_NOTIFICATIONS'] ?? 10_000);
const perSecond = Number(process.env['FAULTS_RATE'] ?? 100);
const poisonCount = Number(process.env['FAULTS_POISON'] ?? 1_000);
const outageMs = Number(process.env['FAULTS_PG_OUTAGE_MS'] ?? 30_000);
/** Short enough that a poison message left unacked is redelivered, and seen, within the run. */
const ackWaitMs = 10_000;
const account = 'fault';
const users = 10;
/** Load flows this long before each fault strikes. */
const leadMs = 3_000;
const recoveryDeadlineMs = 180_000;

interface Phase {
  name: string;
  /** Its part of the notifications. */
  share: number;
  /** Strikes, and resolves once the fault is lifted. */
  fault?: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-faults-'));
  const nats = new PrivateNats(await freePort(), join(dir, 'nats'));
  const postgres = new PrivatePostgres(await freePort(), join(dir, 'pg'));
  const ports: Record<ServiceName, number> = {
    preferences: await freePort(),
    interface: await freePort(),
    ingest: await freePort(),
  };
  const adminToken = randomBytes(16).toString('hex');
  const common = { NATS_URL: nats.url, DATABASE_URL: postgres.url };
  const services = new Services(
    {
      preferences: { ...common, ADMIN_TOKEN: adminToken, ROUTER_ACK_WAIT_MS: String(ackWaitMs) },
      interface: { ...common, INBOX_ACK_WAIT_MS: String(ackWaitMs) },
      ingest: { ...common, PREFERENCES_ADDR: `127.0.0.1:${ports.preferences}` },
    },
    ports,
    dir,
  );
  console.log(`fault suite: NATS ${nats.url}, PostgreSQL ${postgres.url}, logs in ${dir}`);

  let passed = false;
  let bus: Bus | undefined;
  let census: Census | undefined;
  let load: LoadGenerator | undefined;
  try {
    await nats.start();
    await postgres.init();
    await postgres.start();
    for (const service of ['preferences', 'interface', 'ingest'] as const) services.start(service);
    for (const service of ['preferences', 'interface', 'ingest'] as const) await services.serving(service);

    const userIds = Array.from({ length: users }, (_, i) => `u${i}`);
    const seeded = await seedAccount(services.address('preferences'), { accountId: account, userIds, adminToken });
    const apiKey = seeded.keys[0]!.apiKey;
    bus = await Bus.connect({ url: nats.url, namespace: '', name: 'fault-suite', logger: testLogger() });
    const deadLetters = new DeadLetters(bus);
    census = new Census(postgres.url, 'interface');
    load = new LoadGenerator({
      address: services.address('ingest'),
      apiKey,
      users,
      concurrency: 64,
      retryBudgetMs: 120_000,
    });

    const connected = bus;
    const phases: Phase[] = [
      { name: 'none (baseline)', share: 1 },
      { name: 'kill -9 ingest', share: 2, fault: () => services.kill9('ingest') },
      { name: 'kill -9 preferences', share: 2, fault: () => services.kill9('preferences') },
      { name: 'kill -9 interface', share: 2, fault: () => services.kill9('interface') },
      {
        name: 'restart NATS',
        share: 2,
        fault: async () => {
          await nats.stop();
          await nats.start();
        },
      },
      {
        name: `PostgreSQL down ${outageMs / 1000} s`,
        share: 6,
        fault: async () => {
          await postgres.stop();
          await sleep(outageMs);
          await postgres.start();
        },
      },
      {
        name: `${poisonCount} poison messages`,
        share: 2,
        fault: async () => {
          await publishPoison(connected, account, poisonCount);
          await eventually(
            () => {
              const left = poisonCount - deadLetters.poisonCounts().size;
              if (left > 0) throw new Error(`${left} poison messages not dead-lettered yet`);
            },
            recoveryDeadlineMs,
            100,
          ).catch(() => undefined);
        },
      },
    ];
    const shares = phases.reduce((sum, phase) => sum + phase.share, 0);
    const records: PhaseRecord[] = [];
    const probes: Sent[] = [];
    const generator = load;
    const inbox = census;

    /**
     * From the fault lifted: until every service serves and ingest takes a new
     * notification (accepting), then until that notification is in the inbox,
     * behind whatever backlog the fault left (recovered).
     */
    const recover = async (phase: string, record: PhaseRecord): Promise<void> => {
      const lifted = Date.now();
      try {
        for (const service of ['preferences', 'interface', 'ingest'] as const) {
          await services.serving(service, recoveryDeadlineMs);
        }
        // Unlike the load, the probe retries whatever the answer: it asks when calls are taken again.
        const probe = await eventually(
          async () => {
            const sent: Sent = { key: `probe${probes.length}`, recipient: 'u0', phase, retried: new Map() };
            probes.push(sent);
            await generator.deliver(sent);
            if (sent.id === undefined) throw new Error(`probe refused: ${sent.refused}`);
            return sent;
          },
          recoveryDeadlineMs,
          500,
        );
        record.acceptingMs = Date.now() - lifted;
        const id = probe.id!;
        await eventually(
          async () => {
            if (!(await inbox.has(id))) throw new Error(`probe ${probe.key} not stored yet`);
          },
          recoveryDeadlineMs,
          100,
        );
        record.recoveredMs = Date.now() - lifted;
      } catch {
        // Left unset: the report says it never recovered.
      }
    };

    for (const phase of phases) {
      services.during = phase.name;
      const record: PhaseRecord = { name: phase.name, startedAt: Date.now(), endedAt: 0 };
      records.push(record);
      const quota = Math.round((total * phase.share) / shares);
      const sending = generator.send(phase.name, quota, perSecond);
      if (phase.fault) {
        await sleep(leadMs);
        const struck = Date.now();
        await phase.fault();
        record.faultMs = Date.now() - struck;
        await recover(phase.name, record);
      }
      await sending;
      record.endedAt = Date.now();
      console.log(`  ${phase.name}: done in ${((record.endedAt - record.startedAt) / 1000).toFixed(1)} s`);
    }
    services.during = 'settling';

    // Whatever was accepted has this long to reach the inbox; a poison message
    // left unacked is redelivered (and dead-lettered again) within it.
    const accepted = [...generator.sent, ...probes].filter((s) => s.id !== undefined);
    const settleFrom = Date.now();
    await eventually(
      async () => {
        const stored = await inbox.rowsByKey();
        const missing = accepted.filter((s) => !stored.has(s.key)).length;
        if (missing > 0) throw new Error(`${missing} accepted notifications not stored yet`);
      },
      60_000,
      1_000,
    ).catch(() => undefined);
    const observed = Date.now() - settleFrom;
    if (observed < ackWaitMs * 1.5) await sleep(ackWaitMs * 1.5 - observed);

    const figures = new Figures({
      records,
      sent: generator.sent,
      probes,
      stored: await inbox.rowsByKey(),
      deadLetters: deadLetters.seen,
      poisonCounts: deadLetters.poisonCounts(),
      poisonCount,
      exits: services.exits,
      consumers: [
        await connected.jsm.consumers.info('NOTIFICATIONS', 'preferences-router'),
        await connected.jsm.consumers.info('DELIVERIES', 'interface-inbox'),
      ],
    });
    figures.print();
    passed = figures.failures().length === 0;
  } finally {
    load?.close();
    await services.stopAll();
    await census?.close();
    await bus?.close();
    await nats.stop();
    await postgres.stop().catch(() => undefined);
    if (passed) rmSync(dir, { recursive: true, force: true });
    else console.log(`logs of the services, NATS and PostgreSQL kept in ${dir}`);
  }
  process.exit(passed ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
