export { startGateway } from './service.js';
export type { RunningGateway } from './service.js';
export { loadGatewayConfig } from './config.js';
export type { GatewayConfig } from './config.js';
export { buildGateway } from './server.js';
export { bearerOf } from './auth/bearer.js';
export type { Gateway, GatewayDeps, GatewayOptions } from './server.js';
export { PersonTokens } from '@herald/auth';
export type { Person, VerifyPersonToken } from '@herald/auth';
export { GatewayMetrics } from './metrics.js';
export { HttpError } from './http-error.js';
// The front door of the gateway's parts.
export { livePlugin, livePath } from './live/live-plugin.js';
export type { LiveIdentity, LiveLimits, LivePluginOptions } from './live/live-plugin.js';
export { GrpcLiveInbox } from './live/grpc-live-inbox.js';
export type { GrpcLiveInboxOptions, LiveInbox } from './live/grpc-live-inbox.js';
export type { CatchUp } from './live/live-connection.js';
export type { OpenGauge } from './live/live-hub.js';
export { closeCodes } from './live/websocket.js';
export { itemJson, popupJson, readJson, unreadCountJson } from './live/json.js';
export type {
  ItemJson,
  PopupJson,
  ReadJson,
  UnreadCountJson,
  ProviderJson,
  CallJson,
  ElementJson,
} from './live/json.js';
