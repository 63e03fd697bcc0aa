import type { Metadata } from '@grpc/grpc-js';
import type { DirectoryServer, PreferencesServer } from '@herald/contracts';
import { UnauthenticatedError } from '@herald/errors';
import { bearerToken, unary } from '@herald/rpc';
import type { Logger } from '@herald/telemetry';
import { sameSecret } from './api-key.js';
import type { DirectoryService } from './directory-service.js';
import type { PreferencesService } from './preferences-service.js';

/** With an admin token configured, the admin calls need `authorization: Bearer <token>`. */
function adminCheck(adminToken: string | undefined): (metadata: Metadata) => void {
  return (metadata) => {
    if (adminToken === undefined) return;
    if (!sameSecret(bearerToken(metadata), adminToken)) throw new UnauthenticatedError('invalid admin token');
  };
}

export function directoryServer(
  directory: DirectoryService,
  options: { adminToken: string | undefined; logger: Logger },
): DirectoryServer {
  const { logger } = options;
  const admin = adminCheck(options.adminToken);
  return {
    upsertAccount: unary('Directory/UpsertAccount', logger, async (request, call) => {
      admin(call.metadata);
      return directory.upsertAccount(request);
    }),
    upsertUser: unary('Directory/UpsertUser', logger, async (request, call) => {
      admin(call.metadata);
      return directory.upsertUser(request);
    }),
    listUsers: unary('Directory/ListUsers', logger, async (request, call) => {
      admin(call.metadata);
      return directory.listUsers(request);
    }),
    registerProvider: unary('Directory/RegisterProvider', logger, async (request, call) => {
      admin(call.metadata);
      return directory.registerProvider(request);
    }),
    issueApiKey: unary('Directory/IssueApiKey', logger, async (request, call) => {
      admin(call.metadata);
      return directory.issueApiKey(request);
    }),
    revokeApiKey: unary('Directory/RevokeApiKey', logger, async (request, call) => {
      admin(call.metadata);
      return directory.revokeApiKey(request);
    }),
    // The caller is an integration's key, checked by the call itself.
    authorize: unary('Directory/Authorize', logger, (request) => directory.authorize(request)),
  };
}

export function preferencesServer(preferences: PreferencesService, logger: Logger): PreferencesServer {
  return {
    getSettings: unary('Preferences/GetSettings', logger, (request) => preferences.getSettings(request)),
    updateSettings: unary('Preferences/UpdateSettings', logger, (request) => preferences.updateSettings(request)),
    listProviders: unary('Preferences/ListProviders', logger, (request) => preferences.listProviders(request)),
  };
}
