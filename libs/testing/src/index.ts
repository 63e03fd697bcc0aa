export {
  testEnv,
  uniqueName,
  testLogger,
  isolatedBus,
  deleteStreams,
  dropSchemas,
  eventually,
  within,
  memorySpans,
} from './testing.js';
export { fieldOf, freePort, rejection, untilServing } from './grpc.js';
export { exitOf, repoRoot, startServiceProcess } from './processes.js';
export type { ServiceProcessOptions } from './processes.js';
export { startTcpProxy, throughProxy } from './tcp-proxy.js';
export type { TcpProxy } from './tcp-proxy.js';
export { buildDelivery } from './fixtures.js';
export { seedAccount } from './seed.js';
export type { SeedOptions, SeededAccount } from './seed.js';
export type { DeliveryFixture } from './fixtures.js';
export { testCertificates } from './certificates.js';
export type { TestCertificates, TestTlsFiles } from './certificates.js';
