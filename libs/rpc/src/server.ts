import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { classify, InvalidArgumentError, UnauthenticatedError, type ErrorCode } from '@herald/errors';
import { rpcDuration } from '@herald/metrics';
import { extractContext, withSpan, type CarrierGetter, type Logger } from '@herald/telemetry';

const statusOf: Readonly<Record<ErrorCode, status>> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  UNAVAILABLE: status.UNAVAILABLE,
  INTERNAL: status.INTERNAL,
};

/** Trailing metadata key naming the bad field of an INVALID_ARGUMENT. */
export const FIELD_METADATA_KEY = 'herald-field';

const metadataGetter: CarrierGetter<Metadata> = {
  get: (carrier, key) => {
    const values = carrier.get(key);
    return values.length > 0 ? values.map(String) : undefined;
  },
  keys: (carrier) => Object.keys(carrier.getMap()),
};

type AsyncUnary<Req, Res> = (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>;

/** Stands for a request grpc-js could not decode (random bytes, an int64 past 2^53). */
class UndecodableRequest {
  constructor(readonly reason: string) {}
}

/** Longest part of a decoder's message echoed back: never the bad value itself. */
const reasonLength = 120;

/**
 * The definition with every request decoder made total: what it cannot
 * decode reaches `unary` as an UndecodableRequest, answered INVALID_ARGUMENT,
 * where grpc-js would answer INTERNAL.
 */
function decodingSafely(definition: ServiceDefinition): ServiceDefinition {
  return Object.fromEntries(
    Object.entries(definition).map(([name, method]) => [
      name,
      {
        ...method,
        requestDeserialize(bytes: Buffer): unknown {
          try {
            return method.requestDeserialize(bytes);
          } catch (err) {
            return new UndecodableRequest((err instanceof Error ? err.message : String(err)).slice(0, reasonLength));
          }
        },
      },
    ]),
  );
}

/**
 * Adapts an async method to grpc-js: a server span continuing the caller's
 * trace, the error mapped to its status once (`classify`: a HeraldError's
 * code, a dependency's outage UNAVAILABLE), anything unexpected logged and
 * answered INTERNAL without its details, and the call counted by status.
 */
export function unary<Req, Res>(method: string, logger: Logger, fn: AsyncUnary<Req, Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    const timer = rpcDuration.startTimer({ method });
    const parent = extractContext(call.metadata, metadataGetter);
    const request: unknown = call.request;
    withSpan('herald.rpc', method, { kind: 'server', parent }, () => {
      if (request instanceof UndecodableRequest) {
        throw new InvalidArgumentError('request', `cannot be decoded: ${request.reason}`);
      }
      return fn(call.request, call);
    }).then(
      (reply) => {
        timer({ code: 'OK' });
        callback(null, reply);
      },
      (err: unknown) => {
        const known = classify(err);
        if (known) {
          timer({ code: known.code });
          const trailer = new Metadata();
          if (known instanceof InvalidArgumentError) trailer.set(FIELD_METADATA_KEY, known.field);
          if (known.code === 'UNAVAILABLE') logger.warn({ err, method }, 'rpc unavailable');
          callback({ code: statusOf[known.code], details: known.message, metadata: trailer });
          return;
        }
        timer({ code: 'INTERNAL' });
        logger.error({ err, method }, 'rpc failed');
        callback({ code: status.INTERNAL, details: 'internal error' });
      },
    );
  };
}

/** The bearer token of a call, or UNAUTHENTICATED. */
export function bearerToken(metadata: Metadata): string {
  const [value] = metadata.get('authorization');
  const match = typeof value === 'string' ? /^Bearer\s+(\S+)$/i.exec(value) : null;
  if (!match?.[1]) throw new UnauthenticatedError('missing "authorization: Bearer <key>" metadata');
  return match[1];
}

export interface RpcService {
  /** Full name, e.g. herald.v1.Inbox: the key of its health status. */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface RpcServer {
  /** The port bound (useful when 0 was asked for). */
  readonly port: number;
  /** Reports NOT_SERVING, lets in-flight calls finish (up to graceMs), then closes. */
  shutdown(graceMs?: number): Promise<void>;
}

export async function startRpcServer(options: {
  host: string;
  port: number;
  services: readonly RpcService[];
  logger: Logger;
  /** Plaintext when unset. */
  credentials?: ServerCredentials;
}): Promise<RpcServer> {
  // Channelz bookkeeping costs every call a good share of its CPU; nothing here reads it.
  const server = new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024, 'grpc.enable_channelz': 0 });
  const health = new HealthImplementation({ '': 'SERVING' });
  for (const service of options.services) {
    server.addService(decodingSafely(service.definition), service.implementation);
    health.setStatus(service.name, 'SERVING');
  }
  health.addToServer(server);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${options.host}:${options.port}`,
      options.credentials ?? ServerCredentials.createInsecure(),
      (err, bound) => (err ? reject(err) : resolve(bound)),
    );
  });
  options.logger.info({ port, services: options.services.map((s) => s.name) }, 'grpc serving');
  return {
    port,
    async shutdown(graceMs = 10_000) {
      health.setStatus('', 'NOT_SERVING');
      for (const service of options.services) health.setStatus(service.name, 'NOT_SERVING');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
