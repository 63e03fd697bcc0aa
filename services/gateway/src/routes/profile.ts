import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { HttpError, invalid, notFound } from '../http-error.js';
import { errors } from '../schemas.js';
import type { Gateway, GatewayDeps } from '../server.js';

export const Profile = Type.Object({
  account: Type.String(),
  user: Type.String(),
  display_name: Type.String(),
  timezone: Type.String({ description: 'IANA time zone: the times of the notification center and the daily email.' }),
  locale: Type.String({ description: 'BCP 47 tag: the language of the interface and of every message.' }),
});

export const ProfilePatch = Type.Object(
  {
    timezone: Type.Optional(Type.String({ maxLength: 64 })),
    locale: Type.Optional(Type.String({ maxLength: 35 })),
  },
  { additionalProperties: false },
);

const isTimeZone = (zone: string): boolean => {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone.length > 0;
  } catch {
    return false;
  }
};

const isLocale = (tag: string): boolean => {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
};

/** /api/v1/me/profile: the signed-in person's time zone and language, which the settings page edits. */
export function profileRoutes(deps: GatewayDeps): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify as Gateway;
    const { peers } = deps;
    const security = [{ personToken: [] }];

    app.addHook('onRequest', async (request) => {
      request.person = await app.authenticatePerson(request);
    });

    const userOf = async (account: string, id: string) => {
      const reply = await peers.call(peers.directory.listUsers.bind(peers.directory), { accountId: account });
      const user = reply.users.find((u) => u.id === id);
      if (!user) throw notFound(`no user ${id}`);
      return user;
    };
    const personOf = (request: { person?: { account: string; user: string } }) => {
      if (!request.person) throw new HttpError(500, 'INTERNAL', 'route without a person');
      return request.person;
    };
    const profileOf = (user: {
      accountId: string;
      id: string;
      displayName: string;
      timezone: string;
      locale: string;
    }) => ({
      account: user.accountId,
      user: user.id,
      display_name: user.displayName,
      timezone: user.timezone || 'UTC',
      locale: user.locale || 'en',
    });

    app.get(
      '/api/v1/me/profile',
      {
        schema: {
          tags: ['people'],
          summary: 'Who I am: my time zone and language',
          security,
          response: { 200: Profile, ...errors(401, 404, 429, 503) },
        },
      },
      async (request) => {
        const { account, user } = personOf(request);
        return profileOf(await userOf(account, user));
      },
    );

    app.patch(
      '/api/v1/me/profile',
      {
        schema: {
          tags: ['people'],
          summary: 'Change my time zone or language',
          security,
          body: ProfilePatch,
          response: { 200: Profile, ...errors(400, 401, 404, 429, 503) },
        },
      },
      async (request) => {
        const { account, user } = personOf(request);
        const { timezone, locale } = request.body;
        if (timezone !== undefined && !isTimeZone(timezone)) throw invalid('timezone', 'must be an IANA time zone');
        if (locale !== undefined && !isLocale(locale)) throw invalid('locale', 'must be a BCP 47 language tag');
        const current = await userOf(account, user);
        const updated = await peers.call(peers.directory.upsertUser.bind(peers.directory), {
          user: { ...current, ...(timezone ? { timezone } : {}), ...(locale ? { locale } : {}) },
        });
        return profileOf(updated);
      },
    );
  };
}
