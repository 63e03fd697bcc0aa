import { createServer } from 'node:net';
import { credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const HealthClient = makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');

type Check = (
  request: { service: string },
  options: { deadline: number },
  callback: (err: ServiceError | null, reply: { status: string }) => void,
) => void;

/** Resolves once the gRPC server at `address` reports SERVING, or rejects after `timeoutMs`. */
export async function untilServing(address: string, timeoutMs = 30_000): Promise<void> {
  const client = new HealthClient(address, credentials.createInsecure());
  const check = (client['check'] as Check).bind(client);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const status = await new Promise<string>((resolve) =>
        check({ service: '' }, { deadline: Date.now() + 1_000 }, (err, reply) =>
          resolve(err ? `error: ${err.message}` : reply.status),
        ),
      );
      if (status === 'SERVING') return;
      if (Date.now() > deadline) throw new Error(`${address} is not serving: ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    client.close();
  }
}
