import { createECDH } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import {
  idPattern,
  type ListPushSubscriptionsReply,
  type PushSubscription,
  type RegisterPushSubscriptionRequest,
} from '@herald/contracts';
import { InvalidArgumentError, NotFoundError } from '@herald/errors';
import type { StoredSubscription, SubscriptionRepository } from './subscription-repository.js';

const maxEndpointLength = 2048;
const base64url = /^[A-Za-z0-9_-]+={0,2}$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Addresses a push service is never at: an endpoint there would make Herald call into its own network. */
const internal = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  internal.addSubnet(net, prefix, 'ipv4');
}
internal.addAddress('::', 'ipv6');
internal.addAddress('::1', 'ipv6');
internal.addSubnet('fc00::', 7, 'ipv6');
internal.addSubnet('fe80::', 10, 'ipv6');
internal.addSubnet('::ffff:0:0', 96, 'ipv6');

function isInternalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')) return true;
  const family = isIP(host);
  return family !== 0 && internal.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

function checkUser(accountId: string, userId: string): void {
  if (!idPattern.test(accountId)) throw new InvalidArgumentError('account_id', 'must be an account id');
  if (!idPattern.test(userId)) throw new InvalidArgumentError('user_id', 'must be a user id');
}

/**
 * A push service URL: https, on a public host, unless its origin is one the
 * deployment allows (a developer's or a test's push service, http allowed).
 */
export function checkEndpoint(value: string, allowlist: readonly string[]): string {
  if (value === '') throw new InvalidArgumentError('endpoint', 'is required');
  if (value.length > maxEndpointLength) {
    throw new InvalidArgumentError('endpoint', `must be at most ${maxEndpointLength} characters`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('endpoint', 'is not a URL');
  }
  if (url.username || url.password) throw new InvalidArgumentError('endpoint', 'must not hold credentials');
  if (allowlist.includes(url.origin)) return url.href;
  if (url.protocol !== 'https:') throw new InvalidArgumentError('endpoint', 'must be an https URL');
  if (isInternalHost(url.hostname)) {
    throw new InvalidArgumentError('endpoint', 'must be a public push service, not a local or private address');
  }
  return url.href;
}

/** A base64url field decoded to exactly `bytes` bytes, returned without padding. */
function checkKey(field: string, value: string, bytes: number): Buffer {
  if (value === '') throw new InvalidArgumentError(field, 'is required');
  if (value.length > 200 || !base64url.test(value)) throw new InvalidArgumentError(field, 'must be base64url');
  const decoded = Buffer.from(value, 'base64url');
  if (decoded.length !== bytes) throw new InvalidArgumentError(field, `must be ${bytes} bytes, base64url`);
  return decoded;
}

/** A key pair of this process, only to check that a browser's key is a point of the curve. */
const probe = createECDH('prime256v1');
probe.generateKeys();

/** The browser's key: a point of P-256, uncompressed, that the payload's ECDH can use. */
function checkP256dh(value: string): string {
  const key = checkKey('keys.p256dh', value, 65);
  try {
    probe.computeSecret(key);
  } catch {
    throw new InvalidArgumentError('keys.p256dh', 'is not a P-256 public key');
  }
  return key.toString('base64url');
}

function checkExpiration(value: number | undefined, now: Date): Date | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError('expiration_time', 'must be a time in epoch milliseconds');
  }
  if (value <= now.getTime()) throw new InvalidArgumentError('expiration_time', 'has passed');
  return new Date(value);
}

function toSubscription(stored: StoredSubscription): PushSubscription {
  return {
    id: stored.id,
    endpoint: stored.endpoint,
    expirationTime: stored.expirationTime,
    createdAt: stored.createdAt,
  };
}

/** The push subscriptions of each user: what the PushSubscriptions gRPC service (and the gateway's routes) does. */
export class Subscriptions {
  constructor(
    private readonly repository: SubscriptionRepository,
    private readonly settings: { endpointAllowlist: readonly string[]; vapidPublicKey: string },
  ) {}

  async register(request: RegisterPushSubscriptionRequest): Promise<PushSubscription> {
    checkUser(request.accountId, request.userId);
    const now = new Date();
    const subscription = {
      accountId: request.accountId,
      userId: request.userId,
      endpoint: checkEndpoint(request.endpoint, this.settings.endpointAllowlist),
      p256dh: checkP256dh(request.p256dh),
      auth: checkKey('keys.auth', request.auth, 16).toString('base64url'),
      expirationTime: checkExpiration(request.expirationTime, now),
    };
    return toSubscription(await this.repository.upsert(subscription, now));
  }

  async list(accountId: string, userId: string): Promise<ListPushSubscriptionsReply> {
    checkUser(accountId, userId);
    return { subscriptions: (await this.repository.listOf(accountId, userId)).map(toSubscription) };
  }

  async remove(accountId: string, userId: string, subscriptionId: string): Promise<void> {
    checkUser(accountId, userId);
    if (subscriptionId === '') throw new InvalidArgumentError('subscription_id', 'is required');
    if (!uuidPattern.test(subscriptionId)) {
      throw new InvalidArgumentError('subscription_id', 'is not a subscription id');
    }
    if (!(await this.repository.remove(accountId, userId, subscriptionId))) {
      throw new NotFoundError(`no push subscription ${subscriptionId} of this user`);
    }
  }

  /** Empty while browser push is off. */
  vapidPublicKey(): string {
    return this.settings.vapidPublicKey;
  }
}
