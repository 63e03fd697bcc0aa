/**
 * The real gateway (services/gateway/dist/main.js) as its own process in
 * front of a slice, and the people's tokens it takes, signed with the
 * account's secret as the CRM would sign them.
 */
import type { ChildProcess } from 'node:child_process';
import { SignJWT } from 'jose';
import { eventually, freePort, startServiceProcess } from '@herald/testing';
import { benchAccount, type Slice } from './slice.js';

export interface BenchGateway {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  url: string;
}

export async function startGateway(slice: Slice, nodeArgs: string[] = []): Promise<BenchGateway> {
  const port = await freePort();
  const child = startServiceProcess('gateway', {
    env: {
      HERALD_NAMESPACE: slice.namespace,
      HTTP_PORT: String(port),
      METRICS_PORT: '0',
      INGEST_ADDR: slice.addresses.ingest,
      PREFERENCES_ADDR: slice.addresses.preferences,
      INTERFACE_ADDR: slice.addresses.interface,
      // A benchmark is one caller spending a budget meant for thousands.
      RATE_LIMIT_MAX: '1000000000',
      LIVE_MAX_CONNECTIONS_PER_USER: '100',
    },
    nodeArgs,
    stderr: 'inherit',
  });
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      const res = await fetch(`${url}/healthz`).catch(() => undefined);
      if (!res) throw new Error('gateway not listening yet');
    },
    60_000,
    100,
  );
  return { child, url };
}

/** A person token for each user, valid for an hour. */
export async function tokensFor(slice: Slice, users: readonly string[]): Promise<Map<string, string>> {
  const secret = new TextEncoder().encode(slice.signingSecret);
  const tokens = new Map<string, string>();
  for (const user of users) {
    tokens.set(
      user,
      await new SignJWT({ account: benchAccount, user })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(secret),
    );
  }
  return tokens;
}
