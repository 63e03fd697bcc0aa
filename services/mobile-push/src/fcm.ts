import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { cert, deleteApp, initializeApp } from 'firebase-admin/app';
import { getMessaging, type BatchResponse, type Message } from 'firebase-admin/messaging';
import { ConfigError } from '@herald/config';
import type { MobilePushConfig } from './config.js';

/** What the sender needs of FCM: firebase-admin's Messaging is one. */
export interface PushTransport {
  /** Sends each message on its own, at most 500; the answers come in the same order. */
  sendEach(messages: Message[]): Promise<BatchResponse>;
}

export interface Fcm {
  readonly transport: PushTransport;
  readonly projectId: string;
  close(): Promise<void>;
}

/** The hosts firebase-admin reaches: the service account's OAuth token exchange, and FCM. */
export const firebaseHosts: readonly string[] = ['oauth2.googleapis.com', 'fcm.googleapis.com'];

/**
 * An agent that sends its connections for Google's hosts to one address
 * (FCM_CONNECT_TO), keeping the host name for SNI and the certificate check,
 * which the CA of FCM_CA_FILE must pass. Other hosts connect as usual.
 */
class RoutedAgent extends https.Agent {
  constructor(
    options: https.AgentOptions,
    private readonly target: { host: string; port: number },
    private readonly ca: string | undefined,
  ) {
    super(options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const host = options.hostname ?? options.host ?? '';
    if (!firebaseHosts.includes(host)) return super.createConnection(options, callback);
    return tls.connect({
      ...(options as tls.ConnectionOptions),
      host: this.target.host,
      port: this.target.port,
      servername: host,
      ...(this.ca ? { ca: this.ca } : {}),
    });
  }
}

function splitHostPort(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(':');
  return { host: value.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(value.slice(at + 1)) };
}

async function agentOf(config: MobilePushConfig): Promise<https.Agent> {
  const options = { keepAlive: true, maxSockets: config.FCM_MAX_SOCKETS };
  if (!config.FCM_CONNECT_TO) return new https.Agent(options);
  const ca = config.FCM_CA_FILE ? await readVariableFile('FCM_CA_FILE', config.FCM_CA_FILE) : undefined;
  return new RoutedAgent(options, splitHostPort(config.FCM_CONNECT_TO), ca);
}

async function readVariableFile(variable: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError([`${variable}: cannot read ${path}: ${(cause as Error).message}`]);
  }
}

/**
 * The service account as a file path. firebase-admin hands its HTTP agent to
 * the token exchange only for a credential read from a file, so JSON given in
 * a variable is written to a file only this process's user can read.
 */
async function serviceAccountFile(config: MobilePushConfig): Promise<{ path: string; remove(): Promise<void> }> {
  if (config.FIREBASE_SERVICE_ACCOUNT_FILE) {
    return { path: config.FIREBASE_SERVICE_ACCOUNT_FILE, remove: async () => undefined };
  }
  const json = config.FIREBASE_SERVICE_ACCOUNT_JSON ?? '';
  try {
    JSON.parse(json);
  } catch {
    throw new ConfigError(['FIREBASE_SERVICE_ACCOUNT_JSON: is not JSON']);
  }
  const dir = await mkdtemp(join(tmpdir(), 'herald-fcm-'));
  const path = join(dir, 'service-account.json');
  await writeFile(path, json, { mode: 0o600 });
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * firebase-admin set up from the configured service account, or undefined
 * when none is configured (mobile push is then off). A service account that
 * is configured but unusable fails the start, naming its variable.
 */
export async function openFcm(config: MobilePushConfig): Promise<Fcm | undefined> {
  if (!config.FIREBASE_SERVICE_ACCOUNT_FILE && !config.FIREBASE_SERVICE_ACCOUNT_JSON) return undefined;
  const variable = config.FIREBASE_SERVICE_ACCOUNT_FILE
    ? 'FIREBASE_SERVICE_ACCOUNT_FILE'
    : 'FIREBASE_SERVICE_ACCOUNT_JSON';
  const agent = await agentOf(config);
  const account = await serviceAccountFile(config);
  try {
    const credential = cert(account.path, agent);
    const accountProject = (JSON.parse(await readFile(account.path, 'utf8')) as { project_id?: unknown }).project_id;
    const projectId = config.FIREBASE_PROJECT_ID ?? (typeof accountProject === 'string' ? accountProject : '');
    // Each instance its own app, so that several can live in one process (tests) and be deleted alone.
    const app = initializeApp({ credential, projectId, httpAgent: agent }, `herald-mobile-push-${randomUUID()}`);
    const messaging = getMessaging(app);
    // The default HTTP/2 transport of sendEach opens its own sessions and takes no agent.
    messaging.enableLegacyHttpTransport();
    return {
      transport: messaging,
      projectId,
      async close() {
        await deleteApp(app);
        agent.destroy();
        await account.remove();
      },
    };
  } catch (cause) {
    agent.destroy();
    await account.remove();
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError([`${variable}: not a usable service account: ${(cause as Error).message}`]);
  }
}
