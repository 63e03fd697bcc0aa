import { credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import {
  DevicesClient,
  DirectoryClient,
  InboxClient,
  NotificationIngestClient,
  PreferencesClient,
  PushSubscriptionsClient,
  TelegramLinksClient,
} from '@herald/contracts';
import { callUnary, clientOptions, type UnaryMethod } from '@herald/rpc';
import { fromGrpc, isServiceError } from './http-error.js';
import { IngestCoalescer } from './ingest-coalescer.js';
import { ingestField } from './translate.js';

/** The peers every route family needs: /readyz waits on them. */
export interface PeerAddresses {
  ingest: string;
  preferences: string;
  interface: string;
}

/** Peers of one route family each: down, only their routes answer 503; /readyz does not wait on them. */
export interface OptionalPeerAddresses {
  /** mobile-push's Devices, for /api/v1/me/push/devices. */
  mobilePush: string;
  /** The telegram service's TelegramLinks, for /api/v1/me/telegram. */
  telegram: string;
  /** browser-push's PushSubscriptions, for /api/v1/me/push/subscriptions and the VAPID key. */
  browserPush: string;
}

/** How one call goes: with the peer's client, a bearer token, and how to name its fields for HTTP. */
export interface CallOptions {
  bearer?: string | undefined;
  /** Instead of the gateway's usual deadline. */
  deadlineMs?: number;
  rename?: (field: string) => string;
}

const HealthClient = makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');
type Check = (
  request: { service: string },
  options: { deadline: number },
  callback: (err: ServiceError | null, reply: { status: string }) => void,
) => void;

/** The gRPC services behind the gateway; every call has a deadline and its refusal becomes an HttpError. */
export class Peers {
  readonly ingest: NotificationIngestClient;
  /** Single calls to ingest, sent together with the others of their API key (see IngestCoalescer). */
  readonly ingestCalls: IngestCoalescer;
  readonly directory: DirectoryClient;
  readonly preferences: PreferencesClient;
  readonly inbox: InboxClient;
  readonly telegram: TelegramLinksClient;
  readonly devices: DevicesClient;
  readonly pushSubscriptions: PushSubscriptionsClient;
  private readonly health: { name: string; client: InstanceType<typeof HealthClient> }[];

  constructor(
    addresses: PeerAddresses,
    optional: OptionalPeerAddresses,
    private readonly deadlineMs: number,
  ) {
    this.ingest = new NotificationIngestClient(addresses.ingest, ...clientOptions());
    this.ingestCalls = new IngestCoalescer((bearer, items) =>
      this.call(this.ingest.batch.bind(this.ingest), { items }, { bearer, rename: ingestField }),
    );
    this.directory = new DirectoryClient(addresses.preferences, ...clientOptions());
    this.preferences = new PreferencesClient(addresses.preferences, ...clientOptions());
    this.inbox = new InboxClient(addresses.interface, ...clientOptions());
    this.devices = new DevicesClient(optional.mobilePush, ...clientOptions());
    this.telegram = new TelegramLinksClient(optional.telegram, ...clientOptions());
    this.pushSubscriptions = new PushSubscriptionsClient(optional.browserPush, ...clientOptions());
    this.health = Object.entries(addresses).map(([name, address]) => ({
      name,
      client: new HealthClient(address, credentials.createInsecure()),
    }));
  }

  async call<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, options: CallOptions = {}): Promise<Res> {
    try {
      const deadlineMs = options.deadlineMs ?? this.deadlineMs;
      const settings = options.bearer ? { deadlineMs, bearer: options.bearer } : { deadlineMs };
      return await callUnary(method, request, settings);
    } catch (err) {
      if (isServiceError(err)) throw fromGrpc(err, options.rename);
      throw err;
    }
  }

  /** Which peers report SERVING within the deadline. */
  async serving(deadlineMs: number): Promise<Record<string, boolean>> {
    const answers = await Promise.all(
      this.health.map(
        ({ name, client }) =>
          new Promise<[string, boolean]>((resolve) => {
            const check = (client['check'] as Check).bind(client);
            check({ service: '' }, { deadline: Date.now() + deadlineMs }, (err, reply) =>
              resolve([name, !err && reply.status === 'SERVING']),
            );
          }),
      ),
    );
    return Object.fromEntries(answers);
  }

  close(): void {
    for (const client of [
      this.ingest,
      this.directory,
      this.preferences,
      this.inbox,
      this.devices,
      this.telegram,
      this.pushSubscriptions,
    ]) {
      client.close();
    }
    for (const { client } of this.health) client.close();
  }
}
