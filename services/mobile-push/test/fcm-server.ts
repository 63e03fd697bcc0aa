import { generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { generate } from 'selfsigned';

/** A message as FCM received it: the v1 JSON the SDK sent. */
export interface FcmMessage {
  token: string;
  notification?: { title?: string; body?: string };
  data?: Record<string, string>;
  android?: {
    priority?: string;
    collapse_key?: string;
    notification?: { channel_id?: string; tag?: string };
  };
  apns?: {
    headers?: Record<string, string>;
    payload?: { aps?: Record<string, unknown> };
  };
}

export interface FcmRequest {
  readonly message: FcmMessage;
  readonly authorization: string;
  /** The TLS server name the client asked for. */
  readonly servername: string;
  /** The status answered. */
  readonly status: number;
  /** When it came, in epoch milliseconds. */
  readonly at: number;
}

/** A refusal FCM answers for a token, once per scripted entry. */
export interface Refusal {
  readonly status: number;
  /** FcmError errorCode: UNREGISTERED, QUOTA_EXCEEDED, UNAVAILABLE, INVALID_ARGUMENT … */
  readonly errorCode: string;
  readonly retryAfter?: string;
}

const statusName: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  503: 'UNAVAILABLE',
};

const tokenUrl = 'https://oauth2.googleapis.com/token';

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(value));
}

/**
 * A local FCM: the OAuth2 token exchange a service account performs (its JWT
 * checked against the account's public key) and the HTTP v1 send endpoint,
 * over HTTPS with a certificate for Google's host names from a CA of its own.
 */
export class FakeFcm {
  readonly projectId = 'herald-test';
  readonly clientEmail = 'push@herald-test.iam.gserviceaccount.com';
  /** Every send request, in the order received. */
  readonly requests: FcmRequest[] = [];
  /** Access tokens handed out by the token exchange. */
  readonly issuedTokens: string[] = [];
  /** Token exchanges refused (a bad JWT). */
  readonly refusedExchanges: string[] = [];
  private readonly scripts = new Map<string, Refusal[]>();
  private messageNumber = 0;

  private constructor(
    private readonly server: Server,
    private readonly dir: string,
    private readonly publicKey: string,
    readonly caFile: string,
    readonly serviceAccountFile: string,
    readonly serviceAccountJson: string,
  ) {}

  static async start(): Promise<FakeFcm> {
    const ca = await generate([{ name: 'commonName', value: 'Herald test CA' }], {
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    });
    const leaf = await generate([{ name: 'commonName', value: 'fcm.googleapis.com' }], {
      algorithm: 'sha256',
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'fcm.googleapis.com' },
            { type: 2, value: 'oauth2.googleapis.com' },
          ],
        },
      ],
    });
    const keys = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const dir = await mkdtemp(join(tmpdir(), 'herald-fake-fcm-'));
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, ca.cert);
    // The server answers through the instance made from it below.
    const self: { fake?: FakeFcm } = {};
    const server = createServer({ key: leaf.private, cert: leaf.cert }, (req, res) => {
      self.fake!.handle(req, res).catch((err: unknown) => json(res, 500, { error: { message: String(err) } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const account = JSON.stringify({
      type: 'service_account',
      project_id: 'herald-test',
      private_key_id: randomBytes(8).toString('hex'),
      private_key: keys.privateKey,
      client_email: 'push@herald-test.iam.gserviceaccount.com',
      client_id: '1',
      token_uri: tokenUrl,
    });
    const serviceAccountFile = join(dir, 'service-account.json');
    await writeFile(serviceAccountFile, account);
    self.fake = new FakeFcm(server, dir, keys.publicKey, caFile, serviceAccountFile, account);
    return self.fake;
  }

  /** host:port, for FCM_CONNECT_TO. */
  get address(): string {
    const address = this.server.address();
    if (typeof address !== 'object' || !address) throw new Error('not listening');
    return `127.0.0.1:${address.port}`;
  }

  /** The next sends to `token` are refused, one refusal each, then accepted. */
  refuse(token: string, ...refusals: Refusal[]): void {
    this.scripts.set(token, [...(this.scripts.get(token) ?? []), ...refusals]);
  }

  /** The requests for one token. */
  to(token: string): FcmRequest[] {
    return this.requests.filter((r) => r.message.token === token);
  }

  /** The messages accepted for one token. */
  accepted(token: string): FcmMessage[] {
    return this.to(token)
      .filter((r) => r.status === 200)
      .map((r) => r.message);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.dir, { recursive: true, force: true });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const text = await body(req);
    const host = req.headers.host ?? '';
    if (req.method === 'POST' && host === 'oauth2.googleapis.com' && req.url === '/token') {
      this.exchange(new URLSearchParams(text), res);
      return;
    }
    const send = `/v1/projects/${this.projectId}/messages:send`;
    if (req.method !== 'POST' || host !== 'fcm.googleapis.com' || req.url !== send) {
      json(res, 404, { error: { code: 404, message: `no ${req.method} ${host}${req.url}`, status: 'NOT_FOUND' } });
      return;
    }
    const authorization = req.headers.authorization ?? '';
    const servername = (req.socket as TLSSocket).servername || '';
    const { message } = JSON.parse(text) as { message: FcmMessage };
    if (!this.issuedTokens.some((token) => authorization === `Bearer ${token}`)) {
      this.requests.push({ message, authorization, servername, status: 401, at });
      json(res, 401, { error: { code: 401, message: 'no valid access token', status: 'UNAUTHENTICATED' } });
      return;
    }
    const refusal = this.scripts.get(message.token)?.shift();
    if (refusal) {
      this.requests.push({ message, authorization, servername, status: refusal.status, at });
      json(
        res,
        refusal.status,
        {
          error: {
            code: refusal.status,
            message: `refused: ${refusal.errorCode}`,
            status: statusName[refusal.status] ?? 'UNKNOWN',
            details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: refusal.errorCode }],
          },
        },
        refusal.retryAfter ? { 'retry-after': refusal.retryAfter } : {},
      );
      return;
    }
    this.requests.push({ message, authorization, servername, status: 200, at });
    json(res, 200, { name: `projects/${this.projectId}/messages/${++this.messageNumber}` });
  }

  /** The JWT bearer grant: the assertion must be signed by the service account's key, for this audience. */
  private exchange(form: URLSearchParams, res: ServerResponse): void {
    const assertion = form.get('assertion') ?? '';
    const [header = '', payload = '', signature = ''] = assertion.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8') || '{}') as Record<string, unknown>;
    const signed = verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      this.publicKey,
      Buffer.from(signature, 'base64url'),
    );
    const valid =
      form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer' &&
      signed &&
      claims['iss'] === this.clientEmail &&
      claims['aud'] === tokenUrl &&
      String(claims['scope'] ?? '').includes('https://www.googleapis.com/auth/firebase.messaging');
    if (!valid) {
      this.refusedExchanges.push(assertion);
      json(res, 400, { error: 'invalid_grant', error_description: 'bad assertion' });
      return;
    }
    const accessToken = `ya29.${randomBytes(16).toString('hex')}`;
    this.issuedTokens.push(accessToken);
    json(res, 200, { access_token: accessToken, expires_in: 3600, token_type: 'Bearer' });
  }
}
