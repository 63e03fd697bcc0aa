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
export { freePort, untilServing } from './grpc.js';
export { exitOf, repoRoot, startServiceProcess } from './processes.js';
export type { ServiceProcessOptions } from './processes.js';
export { startTcpProxy, throughProxy } from './tcp-proxy.js';
export type { TcpProxy } from './tcp-proxy.js';
export { interfaceDelivery } from './fixtures.js';
export type { DeliveryFixture } from './fixtures.js';
