/**
 * The bare servers whose ceilings the targets are measured against, each
 * forked as its own process by bench/src/ceilings.ts (never run by hand):
 *
 *   fastify: one POST route answering a small JSON body, no plugins;
 *   grpc:    one unary method answering its request's bytes, no interceptors.
 *
 * The port goes back to the parent over IPC; SIGTERM ends it.
 */
import Fastify from 'fastify';
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';

const identity = (value: Buffer) => value;

/** /bench.Echo/Echo: bytes in, the same bytes out. */
export const echoService: ServiceDefinition = {
  Echo: {
    path: '/bench.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

async function serveFastify(): Promise<number> {
  const app = Fastify();
  app.post('/echo', async (request) => ({ id: 'bench', duplicate: false, got: (request.body as { n?: number }).n }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function serveGrpc(): Promise<number> {
  const server = new Server();
  const implementation: UntypedServiceImplementation = {
    Echo: (call: { request: Buffer }, callback: (err: null, reply: Buffer) => void) => {
      callback(null, call.request);
    },
  };
  server.addService(echoService, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
  return port;
}

async function main(): Promise<void> {
  const kind = process.argv[2];
  const port = kind === 'grpc' ? await serveGrpc() : await serveFastify();
  process.send?.({ port });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
