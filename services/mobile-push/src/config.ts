import { ConfigError, consumerShape, databaseShape, env, loadConfig, serviceShape } from '@herald/config';
import { z } from 'zod';

const hostPort = /^[A-Za-z0-9.-]+:[0-9]{1,5}$|^\[[0-9A-Fa-f:.]+\]:[0-9]{1,5}$/;

const shape = {
  ...serviceShape(50057, 9457),
  ...databaseShape('mobile_push'),
  /** The sender: deliveries handed to FCM in sendEach calls of at most 500 messages. */
  ...consumerShape('MOBILE'),
  /** The interface's Inbox, asked for each recipient's unread count: the badge. */
  INTERFACE_ADDR: z.string().default('127.0.0.1:50053'),
  /** Deadline of an UnreadCount call, in milliseconds; past it the push goes without a badge. */
  INBOX_DEADLINE_MS: env.positiveInt(2_000),
  /** Base of CRM-relative links (`/leads/1`) handed to the app. */
  CRM_BASE_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8080'),
  /** Path of the Firebase service account key (JSON). */
  FIREBASE_SERVICE_ACCOUNT_FILE: env.string(),
  /** The same key's JSON itself, for platforms that hand secrets over as variables. */
  FIREBASE_SERVICE_ACCOUNT_JSON: env.string(),
  /** The Firebase project; the service account's project_id when unset. */
  FIREBASE_PROJECT_ID: z
    .string()
    .regex(/^[a-z0-9-]{1,63}$/, 'a Firebase project id')
    .optional(),
  /** host:port that firebase-admin's HTTPS connections go to instead of Google's hosts (tests, air-gapped installs). */
  FCM_CONNECT_TO: z.string().regex(hostPort, 'host:port').optional(),
  /** PEM file of the CA that the server at FCM_CONNECT_TO presents a certificate of. */
  FCM_CA_FILE: env.string(),
  /** Sends of one message before its delivery is handed back to the consumer's retry. */
  FCM_TRIES: env.positiveInt(3),
  /** First wait before resending what FCM refused for now, doubled each time, in milliseconds. */
  FCM_RETRY_BASE_MS: env.positiveInt(500),
  /** Longest wait in process; a longer Retry-After is honoured by the consumer's redelivery instead. */
  FCM_RETRY_MAX_MS: env.positiveInt(10_000),
  /** Connections to FCM at once. */
  FCM_MAX_SOCKETS: env.positiveInt(100),
};

export type MobilePushConfig = ReturnType<typeof loadMobilePushConfig>;

export function loadMobilePushConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  const config = loadConfig(shape, source);
  const problems: string[] = [];
  if (config.FIREBASE_SERVICE_ACCOUNT_FILE && config.FIREBASE_SERVICE_ACCOUNT_JSON) {
    problems.push('FIREBASE_SERVICE_ACCOUNT_JSON: set it or FIREBASE_SERVICE_ACCOUNT_FILE, not both');
  }
  if (config.FCM_CA_FILE && !config.FCM_CONNECT_TO) {
    problems.push('FCM_CA_FILE: only used with FCM_CONNECT_TO');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
