export { unary, bearerToken, startRpcServer, FIELD_METADATA_KEY } from './server.js';
export type { RpcServer, RpcService } from './server.js';
export { callUnary, clientOptions, traceInterceptor } from './client.js';
export type { CallSettings, UnaryMethod } from './client.js';
export { serverCredentials, channelCredentials } from './credentials.js';
export type { TlsFiles } from './credentials.js';
