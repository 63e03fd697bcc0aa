import { describe, expect, it, jest } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import { callUnary } from '@herald/rpc';
import { rejection, testLogger, uniqueName } from '@herald/testing';
import { startHarness } from './harness.js';

// Admin calls fail closed: no token configured means no admin, unless in the explicit dev mode.

describe('admin calls without ADMIN_TOKEN', () => {
  it('are refused outside dev mode, whatever the caller sends, and the service says so at start', async () => {
    const logger = testLogger();
    const warn = jest.spyOn(logger, 'warn');
    const h = await startHarness({ ADMIN_TOKEN: undefined, HERALD_DEV_MODE: false }, logger);
    try {
      const upsert = h.directory.upsertAccount.bind(h.directory);
      const account = { id: uniqueName('acct'), name: 'Acme' };
      const bare = await rejection(callUnary(upsert, account, h.plain));
      expect(bare.code).toBe(status.PERMISSION_DENIED);
      const guessed = await rejection(callUnary(upsert, account, { deadlineMs: 5_000, bearer: 'anything' }));
      expect(guessed.code).toBe(status.PERMISSION_DENIED);
      expect(guessed.details).toContain('ADMIN_TOKEN');
      const list = await rejection(
        callUnary(h.directory.listUsers.bind(h.directory), { accountId: account.id }, h.plain),
      );
      expect(list.code).toBe(status.PERMISSION_DENIED);
      expect(warn.mock.calls.map(([message]) => message)).toContain('no ADMIN_TOKEN: the admin calls are refused');
    } finally {
      await h.stop();
    }
  });

  it('are open in dev mode, which the service warns of at start', async () => {
    const logger = testLogger();
    const warn = jest.spyOn(logger, 'warn');
    const h = await startHarness({ ADMIN_TOKEN: undefined, HERALD_DEV_MODE: true }, logger);
    try {
      const id = uniqueName('acct');
      const account = await callUnary(h.directory.upsertAccount.bind(h.directory), { id, name: 'Acme' }, h.plain);
      expect(account.id).toBe(id);
      expect(warn.mock.calls.map(([message]) => String(message))).toEqual(
        expect.arrayContaining([expect.stringContaining('HERALD_DEV_MODE')]),
      );
    } finally {
      await h.stop();
    }
  });
});
