import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import escapeHtml from 'escape-html';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type, type Static } from 'typebox';
import { allEmail, verifyUnsubscribe, type UnsubscribeLink } from '@herald/auth';
import { Channel, type Settings } from '@herald/contracts';
import { HttpError } from '../http-error.js';
import { errors } from '../schemas.js';
import type { Gateway, GatewayDeps } from '../server.js';

const id = (description: string) => Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$', description });

const LinkQuery = Type.Object({
  account: id('The account of the mail’s reader.'),
  user: id('The reader.'),
  scope: Type.String({ minLength: 1, maxLength: 200, description: 'The provider of the mail, or `all`.' }),
  sig: Type.String({ minLength: 1, maxLength: 128, description: 'HMAC-SHA256 of the link, from the mail.' }),
});
type LinkQuery = Static<typeof LinkQuery>;

/** RFC 8058 §3.1: the one-click POST carries exactly this. */
const OneClick = Type.Object(
  { 'List-Unsubscribe': Type.Literal('One-Click') },
  { additionalProperties: true, description: '`List-Unsubscribe=One-Click`, form-encoded or multipart.' },
);

const Html = Type.String({ description: 'A small HTML page.' });

/** No script, no outside resource: the page is markup and inline style only, and posts to itself. */
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'";

const style =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2933}' +
  'button{font:inherit;padding:.5rem 1rem;border:0;border-radius:4px;background:#1f6feb;color:#fff;cursor:pointer}';

/** Every value shown is escaped: a provider's name comes from an integration. */
function page(reply: FastifyReply, status: number, title: string, body: string) {
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', contentSecurityPolicy)
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
        `<meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<title>${escapeHtml(title)}</title><style>${style}</style></head>` +
        `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
    );
}

const linkOf = (query: LinkQuery): UnsubscribeLink => ({
  account: query.account,
  user: query.user,
  scope: query.scope,
});

/** The providers whose email the link switches off, and how to name them to the reader. */
function affected(settings: Settings, scope: string): { ids: string[]; name: string } | undefined {
  if (scope === allEmail) {
    const ids = settings.providers.flatMap((p) =>
      p.provider && p.channels.includes(Channel.CHANNEL_EMAIL) ? [p.provider.id] : [],
    );
    return { ids, name: 'any provider' };
  }
  const provider = settings.providers.find((p) => p.provider?.id === scope)?.provider;
  return provider ? { ids: [provider.id], name: provider.name } : undefined;
}

/**
 * /api/v1/unsubscribe: the one-click unsubscribe of every mail (RFC 8058).
 * No login: the link is signed (HMAC over account, user and scope, with the
 * UNSUBSCRIBE_KEY the email service signs with). `GET` shows a page with a
 * button; `POST` with `List-Unsubscribe=One-Click` switches the reader's
 * email off, for the mail's provider or for all of them, through Preferences.
 */
export function unsubscribeRoutes(deps: GatewayDeps, key: string | undefined): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify as Gateway;
    const { peers } = deps;
    // Only here: the rest of the API takes JSON alone.
    await app.register(formbody, { bodyLimit: 4096 });
    await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: { files: 0, fields: 4, fieldSize: 256 } });

    const valid = (query: LinkQuery) => key !== undefined && verifyUnsubscribe(linkOf(query), query.sig, key);
    const settingsOf = async (query: LinkQuery) => {
      const settings = await peers.call(peers.preferences.getSettings.bind(peers.preferences), {
        accountId: query.account,
        userId: query.user,
      });
      const found = affected(settings, query.scope);
      if (!found) throw new HttpError(404, 'NOT_FOUND', `no provider ${query.scope} for this reader`);
      return found;
    };
    const invalidLink = () =>
      new HttpError(
        403,
        'PERMISSION_DENIED',
        key ? 'this unsubscribe link is not valid' : 'unsubscribe links are off',
        {
          field: 'sig',
        },
      );

    app.get(
      '/api/v1/unsubscribe',
      {
        schema: {
          tags: ['email'],
          summary: 'The page of an email’s unsubscribe link: what it switches off, and a button to confirm',
          description: 'Changes nothing: a link scanner that follows it unsubscribes no one.',
          querystring: LinkQuery,
          produces: ['text/html'],
          response: { 200: Html, 403: Html, ...errors(400, 404, 429, 503) },
        },
      },
      async (request, reply) => {
        if (!valid(request.query)) {
          return page(reply, 403, 'This link is not valid', '<p>Open the link of the email again, whole.</p>');
        }
        const { name } = await settingsOf(request.query);
        const action = `?${new URLSearchParams(request.query).toString()}`;
        return page(
          reply,
          200,
          'Unsubscribe',
          `<p>Stop email notifications from <strong>${escapeHtml(name)}</strong>? ` +
            'You still see them in the notification center, and can switch email back on in its settings.</p>' +
            `<form method="post" action="${escapeHtml(action)}">` +
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">' +
            '<button type="submit">Unsubscribe</button></form>',
        );
      },
    );

    app.post(
      '/api/v1/unsubscribe',
      {
        schema: {
          tags: ['email'],
          summary: 'One-click unsubscribe (RFC 8058): switches the reader’s email off',
          description:
            'For the provider of the mail, or every provider when the link’s scope is `all`. A link whose ' +
            'signature does not match changes nothing (403).',
          querystring: LinkQuery,
          consumes: ['application/x-www-form-urlencoded', 'multipart/form-data'],
          body: OneClick,
          produces: ['text/html'],
          response: { 200: Html, ...errors(400, 403, 404, 413, 415, 429, 503) },
        },
      },
      async (request, reply) => {
        if (!valid(request.query)) throw invalidLink();
        const { account, user } = request.query;
        const { ids, name } = await settingsOf(request.query);
        await peers.call(peers.preferences.updateSettings.bind(peers.preferences), {
          accountId: account,
          userId: user,
          providers: ids.map((providerId) => ({
            providerId,
            switches: [{ channel: Channel.CHANNEL_EMAIL, enabled: false }],
            reset: false,
          })),
        });
        request.log.info({ account, user, scope: request.query.scope }, 'unsubscribed from email');
        return page(
          reply,
          200,
          'Unsubscribed',
          `<p>No more email notifications from <strong>${escapeHtml(name)}</strong>. ` +
            'You can switch email back on in the notification center’s settings.</p>',
        );
      },
    );
  };
}
