import {
  InterceptingCall,
  Metadata,
  credentials,
  type CallOptions,
  type ChannelCredentials,
  type ClientUnaryCall,
  type Interceptor,
  type ServiceError,
} from '@grpc/grpc-js';
import { carriesContext, injectContext, type CarrierSetter } from '@herald/telemetry';

const metadataSetter: CarrierSetter<Metadata> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

/**
 * Carries the active trace context in the call's metadata; a call made
 * outside any trace (no exporter, no traced caller) goes through unwrapped.
 */
export const traceInterceptor: Interceptor = (options, nextCall) => {
  // grpc-js chains interceptors by this interface alone (its last link is no InterceptingCall either).
  if (!carriesContext()) return nextCall(options) as InterceptingCall;
  return new InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      injectContext(metadata, metadataSetter);
      next(metadata, listener);
    },
  });
};

/** Options for a ts-proto grpc-js client constructor: traced, plaintext unless credentials are given. */
export function clientOptions(
  channel: ChannelCredentials = credentials.createInsecure(),
): [ChannelCredentials, { interceptors: Interceptor[]; 'grpc.enable_channelz': number }] {
  return [channel, { interceptors: [traceInterceptor], 'grpc.enable_channelz': 0 }];
}

export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (err: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

export interface CallSettings {
  /** Every call has a deadline. */
  deadlineMs: number;
  /** Sent as `authorization: Bearer <token>`. */
  bearer?: string;
}

/** Calls a unary method of a ts-proto client and resolves with its reply. */
export function callUnary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, settings: CallSettings): Promise<Res> {
  const metadata = new Metadata();
  if (settings.bearer) metadata.set('authorization', `Bearer ${settings.bearer}`);
  return new Promise<Res>((resolve, reject) => {
    method(request, metadata, { deadline: Date.now() + settings.deadlineMs }, (err, response) =>
      err ? reject(err) : resolve(response),
    );
  });
}
