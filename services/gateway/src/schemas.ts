import { Type, type Static, type TSchema } from 'typebox';

/**
 * The HTTP API's documents, declared once: Fastify validates with them, the
 * handlers are typed by them, and the OpenAPI document is generated from them.
 * Limits that only the owning service can judge (text lengths, links, which
 * users exist) are left to it; its refusal comes back as a 400 naming the field.
 */

const id = (description: string) => Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description });

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'Stable code: INVALID_ARGUMENT, UNAUTHENTICATED, NOT_FOUND, …' }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'The bad field, for INVALID_ARGUMENT (e.g. `text.header`).' })),
  }),
});

const date = Type.Optional(Type.Integer({ minimum: 0, description: 'Unix timestamp in seconds.' }));
const header = Type.String({ description: 'Title, at most 255 characters.' });
const text = Type.String({ description: 'At most 4000 characters.' });
const link = Type.Optional(Type.String({ description: 'An http(s) URL or a path inside the CRM starting with `/`.' }));

/** The parameters of each `APP.notifications` call, with its names and nesting. */
export const methodParams = {
  show_message: Type.Object(
    {
      header,
      text,
      date,
      icon: Type.Optional(Type.String({ description: 'http(s) URL of an icon; the robot when absent.' })),
    },
    { additionalProperties: false },
  ),
  show_message_error: Type.Object({ header, text, date, link }, { additionalProperties: false }),
  show_notification: Type.Object(
    {
      text: Type.Object({ header, text }, { additionalProperties: false }),
      date,
      type: Type.Union([Type.Literal('call'), Type.Literal('error')]),
    },
    { additionalProperties: false },
  ),
  add_error: Type.Object({ header: Type.Optional(header), text, date, link }, { additionalProperties: false }),
  add_call: Type.Object(
    {
      text,
      date,
      from: Type.Optional(Type.String({ description: 'Who called: a number or a contact name.' })),
      to: Type.Optional(Type.String({ description: 'The manager or extension who took the call.' })),
      element: Type.Optional(
        Type.Object(
          {
            id: Type.Integer({ minimum: 1 }),
            type: Type.Union([Type.Literal('contact'), Type.Literal('lead'), Type.Literal('company')]),
          },
          { additionalProperties: false },
        ),
      ),
      duration: Type.Optional(Type.Integer({ minimum: 0, description: 'Seconds.' })),
      link: Type.Optional(Type.String({ description: 'Link to the recording.' })),
    },
    { additionalProperties: false },
  ),
  add_event: Type.Object(
    {
      header: Type.Optional(header),
      text,
      date,
      link,
      task: Type.Optional(
        Type.Object(
          {
            id: Type.String(),
            created_by: Type.String(),
            responsible: Type.String(),
            minutes_before: Type.Optional(
              Type.Union([Type.Literal(5), Type.Literal(15), Type.Literal(30), Type.Literal(60)]),
            ),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
} as const;

export type Method = keyof typeof methodParams;
export const methods = Object.keys(methodParams) as Method[];
export type Params<M extends Method> = Static<(typeof methodParams)[M]>;

/** Popups are shown live only; the rest are stored and sent on every active channel. */
export const stored = (method: Method): boolean => method.startsWith('add_');

export const users = Type.Optional(
  Type.Array(id('A user id of the account.'), {
    maxItems: 1000,
    description: 'Recipients; absent means every user of the account.',
  }),
);

export const idempotencyKey = Type.Optional(
  Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'The same key yields the same notification, stored once. Also taken as the `Idempotency-Key` header.',
  }),
);

/** A call's body: its parameters, plus who gets it and its idempotency key. */
export function callBody<M extends Method>(method: M) {
  const params = methodParams[method];
  return Type.Object(
    { ...params.properties, users, ...(stored(method) ? { idempotency_key: idempotencyKey } : {}) },
    { additionalProperties: false },
  );
}

export const Accepted = Type.Object({
  id: Type.String({ description: 'The notification id (the same for a repeated idempotency key).' }),
  duplicate: Type.Boolean({ description: 'True when the idempotency key had been seen: nothing new was stored.' }),
  unknown_users: Type.Array(Type.String(), { description: 'Listed users who are not users of the account.' }),
});
export type Accepted = Static<typeof Accepted>;

export const maxBatchItems = 1000;

export const BatchBody = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          method: Type.String({ description: `One of ${methods.join(', ')}.` }),
          params: Type.Record(Type.String(), Type.Unknown(), { description: 'The parameters of that method.' }),
          users,
          idempotency_key: idempotencyKey,
        },
        { additionalProperties: false },
      ),
      { maxItems: maxBatchItems },
    ),
  },
  { additionalProperties: false },
);
export type BatchBody = Static<typeof BatchBody>;

export const BatchReply = Type.Object({
  results: Type.Array(Type.Union([Accepted, ErrorBody]), { description: 'One per item, in order.' }),
});

export const InboxOrder = Type.Union([Type.Literal('unread_first'), Type.Literal('newest')]);

export const ListQuery = Type.Object({
  order: Type.Optional(InboxOrder),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

const Provider = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('system'), Type.Literal('integration')]),
  name: Type.String(),
  icon_url: Type.String(),
});

export const Item = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('error'), Type.Literal('call'), Type.Literal('event')]),
  provider: Provider,
  occurred_at: Type.String({ format: 'date-time' }),
  read: Type.Boolean(),
  read_at: Type.Optional(Type.String({ format: 'date-time' })),
  content: Type.Record(Type.String(), Type.Unknown(), { description: 'The fields of its call, as sent.' }),
});

export const ItemPage = Type.Object({
  items: Type.Array(Item),
  next_cursor: Type.Optional(Type.String({ description: 'Absent on the last page.' })),
  unread_count: Type.Integer(),
});

export const ReadReply = Type.Object({
  updated: Type.Integer({ description: 'Items that went from unread to read.' }),
  unread_count: Type.Integer(),
});

export const UnreadCount = Type.Object({ unread_count: Type.Integer() });

export const ChannelName = Type.Union([
  Type.Literal('interface'),
  Type.Literal('email'),
  Type.Literal('mobile'),
  Type.Literal('browser'),
  Type.Literal('telegram'),
]);
const channelSwitches = Type.Object(
  {
    interface: Type.Optional(Type.Boolean({ description: 'Always true: the interface cannot be switched off.' })),
    email: Type.Optional(Type.Boolean()),
    mobile: Type.Optional(Type.Boolean()),
    browser: Type.Optional(Type.Boolean()),
    telegram: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const SettingsDocument = Type.Object({
  receive_notifications: Type.Boolean(),
  email_mode: Type.Union([Type.Literal('immediate'), Type.Literal('daily')]),
  digest_time: Type.String({ description: 'HH:MM in the user’s time zone, for the daily mail.' }),
  inbox_order: InboxOrder,
  task_lead_minutes: Type.Integer(),
  providers: Type.Record(
    Type.String(),
    Type.Object({
      name: Type.String(),
      kind: Type.Union([Type.Literal('system'), Type.Literal('integration')]),
      customized: Type.Boolean({ description: 'False while the provider’s defaults apply.' }),
      channels: channelSwitches,
    }),
  ),
});

/** RFC 7396: the members given replace the current ones; `null` on a provider restores its defaults. */
export const SettingsPatch = Type.Object(
  {
    receive_notifications: Type.Optional(Type.Boolean()),
    email_mode: Type.Optional(Type.Union([Type.Literal('immediate'), Type.Literal('daily')])),
    digest_time: Type.Optional(Type.String()),
    inbox_order: Type.Optional(InboxOrder),
    task_lead_minutes: Type.Optional(Type.Integer()),
    providers: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Union([
          Type.Null(),
          Type.Object({ channels: Type.Optional(channelSwitches) }, { additionalProperties: false }),
        ]),
      ),
    ),
  },
  { additionalProperties: false },
);
export type SettingsPatch = Static<typeof SettingsPatch>;

export const ProviderList = Type.Object({ providers: Type.Array(Provider) });

export const AccountPath = Type.Object({ account: id('Account id.') });
export const UserPath = Type.Object({ account: id('Account id.'), user: id('User id.') });
export const ProviderPath = Type.Object({
  account: id('Account id.'),
  provider: id('The integration, named by the caller.'),
});
export const KeyPath = Type.Object({ account: id('Account id.'), key_id: Type.String({ maxLength: 128 }) });

export const AccountBody = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    signing_secret: Type.Optional(
      Type.String({ minLength: 32, description: 'Verifies the HS256 tokens the CRM signs for its users.' }),
    ),
    public_jwk: Type.Optional(
      Type.Union(
        [
          Type.Object(
            { kty: Type.Union([Type.Literal('RSA'), Type.Literal('EC'), Type.Literal('OKP')]) },
            { additionalProperties: true },
          ),
          Type.Null(),
        ],
        {
          description:
            'The CRM’s public key (RFC 7517): RSA (RS256, or PS256 by its `alg`), EC P-256 (ES256) or Ed25519 ' +
            '(EdDSA); tokens signed with its private key are taken. Never a private key. `null` removes it.',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export const AccountReply = Type.Object({
  id: Type.String(),
  name: Type.String(),
  has_signing_secret: Type.Boolean(),
  has_public_jwk: Type.Boolean(),
});

export const UserBody = Type.Object(
  {
    email: Type.String(),
    display_name: Type.Optional(Type.String()),
    timezone: Type.String({ description: 'IANA time zone, e.g. Europe/Madrid.' }),
    locale: Type.Optional(Type.String({ description: 'BCP 47 tag; en when absent.' })),
    telegram_chat_id: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export const UserReply = Type.Object({
  account: Type.String(),
  id: Type.String(),
  email: Type.String(),
  display_name: Type.String(),
  timezone: Type.String(),
  locale: Type.String(),
  telegram_chat_id: Type.String(),
});
export const UserList = Type.Object({ users: Type.Array(UserReply) });

export const ProviderBody = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    icon_url: Type.Optional(Type.String()),
    default_channels: Type.Optional(Type.Array(ChannelName)),
  },
  { additionalProperties: false },
);
export const ProviderReply = Type.Object({
  id: Type.String({ description: 'The id Herald gave the integration; API keys are issued for it.' }),
  name: Type.String(),
  icon_url: Type.String(),
  default_channels: Type.Array(ChannelName),
});

export const ApiKeyBody = Type.Object(
  { provider_id: Type.String({ minLength: 1 }), name: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
export const IssuedKey = Type.Object({
  key_id: Type.String(),
  api_key: Type.String({ description: 'Shown once: only a hash of it is kept.' }),
});
export const ApiKeyInfo = Type.Object({
  key_id: Type.String(),
  provider_id: Type.String(),
  name: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  revoked_at: Type.Optional(Type.String({ format: 'date-time' })),
});
export const ApiKeyList = Type.Object({ keys: Type.Array(ApiKeyInfo) });

export const SignIn = Type.Object(
  { account: id('Account id.'), user: id('User id.') },
  { additionalProperties: false },
);
export const Token = Type.Object({ token: Type.String(), expires_at: Type.String({ format: 'date-time' }) });

/** The error answers a route may give, for its OpenAPI entry. */
export function errors(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody]));
}
