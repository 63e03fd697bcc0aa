import { connect, createServer, type Socket } from 'node:net';
import { once } from 'node:events';

/** A TCP proxy a spec controls: what a service reaches PostgreSQL or NATS through, cut at will. */
export interface TcpProxy {
  /** The port on 127.0.0.1 to point the service at. */
  readonly port: number;
  /** Connections the proxy was asked for, cut or not: a peer retrying shows here. */
  readonly attempts: number;
  /** Resets every open connection and every new one until `restore`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free port of 127.0.0.1 to `target` (e.g. the machine's PostgreSQL). */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let isCut = false;
  let attempts = 0;
  const server = createServer((client) => {
    attempts++;
    if (isCut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      // A reset on one side ends the other; the error itself is the peer's to see.
      socket.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy is not listening');
  return {
    port: address.port,
    get attempts() {
      return attempts;
    },
    cut() {
      isCut = true;
      for (const socket of open) socket.resetAndDestroy();
    },
    restore() {
      isCut = false;
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The same URL with its host and port replaced by the proxy's. */
export function throughProxy(url: string, proxy: TcpProxy): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  return proxied.toString();
}
