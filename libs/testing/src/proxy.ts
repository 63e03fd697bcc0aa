import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy on 127.0.0.1 that a test can cut and restore, to cut one process from a server others share. */
export interface TcpProxy {
  /** The port to connect to instead of the target's. */
  readonly port: number;
  /** Drops every connection and refuses new ones until `restore`. */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function tcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const open = async (port: number): Promise<Server> => {
    const server = createServer((client) => {
      const upstream = createConnection(target);
      track(client);
      track(upstream);
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return server;
  };
  const shut = async (server: Server | undefined) => {
    if (!server) return;
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  let server: Server | undefined = await open(0);
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the proxy has no port');
  const { port } = address;
  return {
    port,
    async cut() {
      await shut(server);
      server = undefined;
    },
    async restore() {
      server ??= await open(port);
    },
    async close() {
      await shut(server);
      server = undefined;
    },
  };
}
