import type { Metadata } from '@grpc/grpc-js';
import type { DirectoryServer, PreferencesServer } from '@herald/contracts';
import { HeraldError, UnauthenticatedError } from '@herald/errors';
import { bearerToken, unary } from '@herald/rpc';
import type { Logger } from '@herald/telemetry';
import { sameSecret } from './api-key.js';
import type { DirectoryService } from './directory-service.js';
import type { PreferencesService } from './preferences-service.js';

/** How the admin calls are guarded: by a token, or open in dev mode only. */
export type AdminAccess = { token: string } | { open: 'dev-mode' } | { refused: 'no-token' };

export function adminAccess(config: { ADMIN_TOKEN?: string | undefined; HERALD_DEV_MODE: boolean }): AdminAccess {
  if (config.ADMIN_TOKEN !== undefined) return { token: config.ADMIN_TOKEN };
  return config.HERALD_DEV_MODE ? { open: 'dev-mode' } : { refused: 'no-token' };
}

/** Fails closed: without a configured token no caller is an admin, unless in dev mode. */
function adminCheck(access: AdminAccess): (metadata: Metadata) => void {
  return (metadata) => {
    if ('open' in access) return;
    if ('refused' in access) {
      throw new HeraldError('PERMISSION_DENIED', 'admin calls are refused: the service has no ADMIN_TOKEN');
    }
    if (!sameSecret(bearerToken(metadata), access.token)) throw new UnauthenticatedError('invalid admin token');
  };
}

export function directoryServer(
  directory: DirectoryService,
  options: { admin: AdminAccess; logger: Logger },
): DirectoryServer {
  const { logger } = options;
  const admin = adminCheck(options.admin);
  /** An admin call: the admin token first. */
  const adminCall = <Req, Res>(method: string, fn: (request: Req) => Promise<Res>) =>
    unary<Req, Res>(`herald.v1.Directory/${method}`, logger, async (request, call) => {
      admin(call.metadata);
      return fn(request);
    });
  return {
    upsertAccount: adminCall('UpsertAccount', (request) => directory.upsertAccount(request)),
    upsertUser: adminCall('UpsertUser', (request) => directory.upsertUser(request)),
    listUsers: adminCall('ListUsers', (request) => directory.listUsers(request)),
    registerProvider: adminCall('RegisterProvider', (request) => directory.registerProvider(request)),
    issueApiKey: adminCall('IssueApiKey', (request) => directory.issueApiKey(request)),
    revokeApiKey: adminCall('RevokeApiKey', (request) => directory.revokeApiKey(request)),
    listApiKeys: adminCall('ListApiKeys', (request) => directory.listApiKeys(request)),
    getSigningSecret: adminCall('GetSigningSecret', (request) => directory.getSigningSecret(request)),
    // The caller is an integration's key, checked by the call itself.
    authorize: unary('herald.v1.Directory/Authorize', logger, (request) => directory.authorize(request)),
  };
}

export function preferencesServer(preferences: PreferencesService, logger: Logger): PreferencesServer {
  return {
    getSettings: unary('herald.v1.Preferences/GetSettings', logger, (request) => preferences.getSettings(request)),
    updateSettings: unary('herald.v1.Preferences/UpdateSettings', logger, (request) =>
      preferences.updateSettings(request),
    ),
    listProviders: unary('herald.v1.Preferences/ListProviders', logger, (request) =>
      preferences.listProviders(request),
    ),
  };
}
