import { createServer } from 'node:net';
import { credentials, makeGenericClientConstructor, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { FIELD_METADATA_KEY } from '@herald/rpc';

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
export async function untilServing(
  address: string,
  timeoutMs = 30_000,
  channel: ChannelCredentials = credentials.createInsecure(),
): Promise<void> {
  const client = new HealthClient(address, channel);
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

/** The gRPC error a call failed with; fails the test when the call succeeded. */
export async function rejection(call: Promise<unknown>): Promise<ServiceError> {
  try {
    await call;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('expected the call to fail');
}

/** The field an INVALID_ARGUMENT names, from its trailing metadata. */
export function fieldOf(err: ServiceError): string | undefined {
  const [field] = err.metadata?.get(FIELD_METADATA_KEY) ?? [];
  return field === undefined ? undefined : String(field);
}
