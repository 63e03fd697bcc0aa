import { createECDH, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer as createPlainServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import ece from 'http_ece';
import { testCertificates, type TestCertificates } from '@herald/testing';

/** A browser's subscription as the test made it: what it registers, and the private half it decrypts with. */
export interface TestSubscription {
  readonly name: string;
  readonly endpoint: string;
  /** The PushSubscription JSON a browser hands the page. */
  readonly json: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
  readonly privateKey: ECDH;
  readonly auth: Buffer;
}

/** One push as the push service received and checked it. */
export interface PushRequest {
  readonly subscription: string;
  /** The status answered. */
  readonly status: number;
  readonly ttl: number;
  readonly urgency: string | undefined;
  readonly topic: string | undefined;
  /** The decrypted payload, parsed. */
  readonly payload: Record<string, unknown>;
  /** Bytes of the encrypted body. */
  readonly bodyBytes: number;
  readonly jwt: { aud: string; exp: number; sub: string };
  /** When it came, in epoch milliseconds. */
  readonly at: number;
}

/** An answer scripted for the next push to a subscription. */
export interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
}

const base64url = /^[A-Za-z0-9_-]+$/;

function bodyOf(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A local Web Push service (RFC 8030) over HTTPS, its certificate from a CA of
 * the test's own: it checks each request as a real one does (the VAPID JWT of
 * RFC 8292 against the sender's public key, its audience, expiry and subject;
 * the TTL, Urgency, Topic and Content-Encoding headers) and decrypts the
 * aes128gcm payload (RFC 8291) with the subscription's private key.
 */
export class LocalPushService {
  /** Every push accepted or refused by script, in the order received. */
  readonly requests: PushRequest[] = [];
  /** Requests refused because they broke the protocol: a spec expects none. */
  readonly violations: string[] = [];
  private readonly subscriptions = new Map<string, TestSubscription>();
  private readonly scripts = new Map<string, Answer[]>();
  private messages = 0;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
    /** PEM file of the CA that signed the server's certificate: what the sender must trust ('' over http). */
    readonly caFile: string,
    private readonly vapidPublicKey: string,
    private readonly certificates: TestCertificates | undefined,
  ) {}

  /** Over HTTPS, or over plain http (`plain`) as a developer's push service may be. */
  static async start(vapidPublicKey: string, options: { plain?: boolean } = {}): Promise<LocalPushService> {
    const certificates = options.plain ? undefined : await testCertificates();
    const server = certificates
      ? createServer({
          cert: await readFile(certificates.server.certFile),
          key: await readFile(certificates.server.keyFile),
        })
      : createPlainServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const origin = `${certificates ? 'https' : 'http'}://127.0.0.1:${port}`;
    const caFile = certificates?.server.caFile ?? '';
    const service = new LocalPushService(server, origin, caFile, vapidPublicKey, certificates);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void service.handle(req, res));
    return service;
  }

  /** A new subscription, as a browser gets one from this push service. */
  subscribe(name: string): TestSubscription {
    const privateKey = createECDH('prime256v1');
    privateKey.generateKeys();
    const auth = randomBytes(16);
    const endpoint = `${this.origin}/push/${name}-${randomBytes(12).toString('base64url')}`;
    const subscription: TestSubscription = {
      name,
      endpoint,
      json: {
        endpoint,
        expirationTime: null,
        keys: { p256dh: privateKey.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
      },
      privateKey,
      auth,
    };
    this.subscriptions.set(new URL(endpoint).pathname, subscription);
    return subscription;
  }

  /** Answers the next pushes to a subscription so, in order; then 201 again. */
  script(subscription: TestSubscription, ...answers: Answer[]): void {
    this.scripts.set(subscription.name, [...(this.scripts.get(subscription.name) ?? []), ...answers]);
  }

  to(subscription: TestSubscription): PushRequest[] {
    return this.requests.filter((r) => r.subscription === subscription.name);
  }

  /** The payloads it accepted for a subscription. */
  delivered(subscription: TestSubscription): Record<string, unknown>[] {
    return this.to(subscription)
      .filter((r) => r.status === 201)
      .map((r) => r.payload);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.certificates?.cleanup();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await bodyOf(req);
      const subscription = this.subscriptions.get(req.url ?? '');
      if (req.method !== 'POST' || !subscription) throw new Refused(404, `no subscription at ${req.method} ${req.url}`);
      const jwt = this.checkVapid(req.headers['authorization']);
      const ttl = req.headers['ttl'];
      if (typeof ttl !== 'string' || !/^\d+$/.test(ttl)) throw new Refused(400, `TTL: ${String(ttl)}`);
      const urgency = req.headers['urgency'];
      if (urgency !== undefined && !['very-low', 'low', 'normal', 'high'].includes(String(urgency))) {
        throw new Refused(400, `Urgency: ${String(urgency)}`);
      }
      const topic = req.headers['topic'];
      if (topic !== undefined && (typeof topic !== 'string' || topic.length > 32 || !base64url.test(topic))) {
        throw new Refused(400, `Topic: ${String(topic)}`);
      }
      if (req.headers['content-encoding'] !== 'aes128gcm') {
        throw new Refused(415, `Content-Encoding: ${String(req.headers['content-encoding'])}`);
      }
      if (body.length > 4096) throw new Refused(413, `payload of ${body.length} bytes`);
      const plain = ece.decrypt(body, {
        version: 'aes128gcm',
        privateKey: subscription.privateKey,
        authSecret: subscription.auth,
      });
      const payload = JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
      const answer = this.scripts.get(subscription.name)?.shift() ?? { status: 201 };
      this.requests.push({
        subscription: subscription.name,
        status: answer.status,
        ttl: Number(ttl),
        urgency: urgency as string | undefined,
        topic: topic as string | undefined,
        payload,
        bodyBytes: body.length,
        jwt,
        at: Date.now(),
      });
      const headers =
        answer.status === 201 ? { location: `${this.origin}/message/${++this.messages}` } : (answer.headers ?? {});
      res.writeHead(answer.status, headers).end();
    } catch (err) {
      const status = err instanceof Refused ? err.status : 400;
      this.violations.push(`${status} ${(err as Error).message}`);
      res.writeHead(status).end((err as Error).message);
    }
  }

  /** RFC 8292: `vapid t=<JWT>, k=<public key>`, the JWT ES256-signed by that key, for this origin, within 24 h. */
  private checkVapid(header: string | undefined): { aud: string; exp: number; sub: string } {
    const match = /^vapid t=([A-Za-z0-9_.-]+), ?k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
    if (!match) throw new Refused(401, `Authorization: ${String(header)}`);
    const [, token, key] = match as unknown as [string, string, string];
    if (key !== this.vapidPublicKey) throw new Refused(403, 'k: not the VAPID key the subscription was made with');
    const [head, claims, signature] = token.split('.') as [string, string, string];
    const header64 = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: string; typ?: string };
    if (header64.alg !== 'ES256' || header64.typ !== 'JWT') throw new Refused(401, `JWT header ${head}`);
    const raw = Buffer.from(key, 'base64url');
    const publicKey = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: raw.subarray(1, 33).toString('base64url'),
        y: raw.subarray(33, 65).toString('base64url'),
      },
      format: 'jwk',
    });
    const signed = verify(
      'sha256',
      Buffer.from(`${head}.${claims}`),
      { key: publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    if (!signed) throw new Refused(403, 'JWT: signature does not verify against k');
    const jwt = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as {
      aud: string;
      exp: number;
      sub: string;
    };
    if (jwt.aud !== this.origin) throw new Refused(403, `JWT aud: ${jwt.aud}`);
    const now = Date.now() / 1000;
    if (!(jwt.exp > now && jwt.exp <= now + 24 * 3600)) throw new Refused(403, `JWT exp: ${jwt.exp}`);
    if (!/^(mailto:|https:)/.test(jwt.sub)) throw new Refused(403, `JWT sub: ${jwt.sub}`);
    return jwt;
  }
}
