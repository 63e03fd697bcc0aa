import { randomBytes } from 'node:crypto';
import {
  AddReply,
  Channel,
  DirectoryClient,
  InboxClient,
  InboxOrder,
  ListReply,
  MarkReadReply,
  NotificationIngestClient,
  PreferencesClient,
  Settings,
  ShowReply,
} from '@herald/contracts';
import { callUnary, clientOptions, type UnaryMethod } from '@herald/rpc';
import type { CliConfig } from './config.js';

export type Options = Record<string, string | boolean | undefined>;

const deadlineMs = 10_000;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function need(options: Options, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function optional(options: Options, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

function number(options: Options, name: string): number | undefined {
  const value = optional(options, name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new UsageError(`--${name} must be a number`);
  return parsed;
}

function list(options: Options, name: string): string[] {
  return (optional(options, name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Each command resolves with JSON to print. */
export type Command = (config: CliConfig, options: Options) => Promise<unknown>;

function ingestCall<Req, Res>(
  config: CliConfig,
  options: Options,
  pick: (client: NotificationIngestClient) => UnaryMethod<Req, Res>,
  request: Req,
  toJSON: (reply: Res) => unknown,
): Promise<unknown> {
  const key = optional(options, 'key') ?? config.HERALD_API_KEY;
  if (!key) throw new UsageError('an API key is required: --key or HERALD_API_KEY');
  const client = new NotificationIngestClient(config.HERALD_INGEST_ADDR, ...clientOptions());
  return callUnary(pick(client), request, { deadlineMs, bearer: key })
    .then(toJSON)
    .finally(() => client.close());
}

const withInbox = async <T>(config: CliConfig, use: (client: InboxClient) => Promise<T>): Promise<T> => {
  const client = new InboxClient(config.HERALD_INTERFACE_ADDR, ...clientOptions());
  try {
    return await use(client);
  } finally {
    client.close();
  }
};

export const commands: Readonly<Record<string, { usage: string; run: Command }>> = {
  'setup-demo': {
    usage:
      'setup-demo [--account demo] [--user alice] [--email alice@example.com]: an account, a user, an integration and its API key',
    async run(config, options) {
      const accountId = optional(options, 'account') ?? 'demo';
      const userId = optional(options, 'user') ?? 'alice';
      const admin = { deadlineMs, bearer: config.HERALD_ADMIN_TOKEN };
      const client = new DirectoryClient(config.HERALD_PREFERENCES_ADDR, ...clientOptions());
      try {
        // A secret of its own, so that the gateway's dev sign-in can sign tokens for the account's users.
        const signingSecret = randomBytes(32).toString('base64url');
        await callUnary(
          client.upsertAccount.bind(client),
          { id: accountId, name: `${accountId} account`, signingSecret },
          admin,
        );
        await callUnary(
          client.upsertUser.bind(client),
          {
            user: {
              accountId,
              id: userId,
              email: optional(options, 'email') ?? `${userId}@example.com`,
              displayName: userId,
              timezone: 'UTC',
              locale: 'en',
              telegramChatId: '',
            },
          },
          admin,
        );
        const provider = await callUnary(
          client.registerProvider.bind(client),
          {
            accountId,
            name: optional(options, 'provider') ?? 'My integration',
            iconUrl: '',
            defaultChannels: [Channel.CHANNEL_EMAIL, Channel.CHANNEL_BROWSER],
          },
          admin,
        );
        const key = await callUnary(
          client.issueApiKey.bind(client),
          { accountId, providerId: provider.id, name: 'demo key' },
          admin,
        );
        return { account: accountId, user: userId, provider: provider.id, apiKey: key.apiKey };
      } finally {
        client.close();
      }
    },
  },
  'add-error': {
    usage:
      'add-error --text T [--header H] [--link L] [--date UNIX] [--recipients u1,u2] [--idempotency-key K] [--key K]',
    run: (config, options) =>
      ingestCall(
        config,
        options,
        (c) => c.addError.bind(c),
        {
          text: need(options, 'text'),
          header: optional(options, 'header'),
          link: optional(options, 'link'),
          date: number(options, 'date'),
          recipients: list(options, 'recipients'),
          idempotencyKey: optional(options, 'idempotency-key'),
        },
        AddReply.toJSON,
      ),
  },
  'add-call': {
    usage: 'add-call --text T [--from F] [--to T] [--duration S] [--link L] [--recipients u1,u2] [--key K]',
    run: (config, options) =>
      ingestCall(
        config,
        options,
        (c) => c.addCall.bind(c),
        {
          text: need(options, 'text'),
          from: optional(options, 'from'),
          to: optional(options, 'to'),
          duration: number(options, 'duration'),
          link: optional(options, 'link'),
          date: number(options, 'date'),
          recipients: list(options, 'recipients'),
          idempotencyKey: optional(options, 'idempotency-key'),
        },
        AddReply.toJSON,
      ),
  },
  'show-message': {
    usage: 'show-message --header H --text T [--icon URL] [--recipients u1,u2] [--key K]: a popup, never stored',
    run: (config, options) =>
      ingestCall(
        config,
        options,
        (c) => c.showMessage.bind(c),
        {
          header: need(options, 'header'),
          text: need(options, 'text'),
          icon: optional(options, 'icon'),
          recipients: list(options, 'recipients'),
        },
        ShowReply.toJSON,
      ),
  },
  inbox: {
    usage: 'inbox --account A --user U [--order unread_first|newest] [--page-size N] [--cursor C]',
    run: (config, options) =>
      withInbox(config, async (client) => {
        const order =
          optional(options, 'order') === 'newest' ? InboxOrder.INBOX_ORDER_NEWEST : InboxOrder.INBOX_ORDER_UNREAD_FIRST;
        const reply = await callUnary(
          client.list.bind(client),
          {
            accountId: need(options, 'account'),
            userId: need(options, 'user'),
            order,
            pageSize: number(options, 'page-size') ?? 0,
            cursor: optional(options, 'cursor') ?? '',
          },
          { deadlineMs },
        );
        return ListReply.toJSON(reply);
      }),
  },
  'mark-read': {
    usage: 'mark-read --account A --user U (--ids id1,id2 | --all)',
    run: (config, options) =>
      withInbox(config, async (client) => {
        const accountId = need(options, 'account');
        const userId = need(options, 'user');
        const reply = options['all']
          ? await callUnary(client.markAllRead.bind(client), { accountId, userId }, { deadlineMs })
          : await callUnary(
              client.markRead.bind(client),
              { accountId, userId, notificationIds: list(options, 'ids') },
              { deadlineMs },
            );
        return MarkReadReply.toJSON(reply);
      }),
  },
  settings: {
    usage: "settings --account A --user U: the user's notification settings",
    async run(config, options) {
      const client = new PreferencesClient(config.HERALD_PREFERENCES_ADDR, ...clientOptions());
      try {
        const reply = await callUnary(
          client.getSettings.bind(client),
          { accountId: need(options, 'account'), userId: need(options, 'user') },
          { deadlineMs },
        );
        return Settings.toJSON(reply);
      } finally {
        client.close();
      }
    },
  },
};
