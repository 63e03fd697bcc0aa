import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { credentials, status, type ChannelCredentials } from '@grpc/grpc-js';
import { Channel, DirectoryClient, NotificationIngestClient } from '@herald/contracts';
import { loadIngestConfig, startIngest, type RunningIngest } from '@herald/ingest';
import { loadPreferencesConfig, startPreferences, type RunningPreferences } from '@herald/preferences';
import { callUnary, channelCredentials, clientOptions } from '@herald/rpc';
import {
  dropSchemas,
  isolatedBus,
  rejection,
  testCertificates,
  testEnv,
  testLogger,
  uniqueName,
  untilServing,
  type TestCertificates,
  type TestTlsFiles,
} from '@herald/testing';

/** GRPC_TLS_* as a service reads them. */
const tlsEnv = (files: TestTlsFiles) => ({
  GRPC_TLS_CERT: files.certFile,
  GRPC_TLS_KEY: files.keyFile,
  GRPC_TLS_CA: files.caFile,
});

describe('service-to-service mTLS', () => {
  const schema = uniqueName('prefs_');
  const adminToken = 'mtls-admin-token';
  let certs: TestCertificates;
  let preferences: RunningPreferences;
  let ingest: RunningIngest;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    certs = await testCertificates();
    const isolated = await isolatedBus('mtls-test');
    cleanup = isolated.cleanup;
    const common = {
      NATS_URL: testEnv.natsUrl,
      DATABASE_URL: testEnv.databaseUrl,
      HERALD_NAMESPACE: isolated.namespace,
      GRPC_PORT: 0,
      METRICS_PORT: 0,
    };
    preferences = await startPreferences(
      { ...loadPreferencesConfig(tlsEnv(certs.server)), ...common, DB_SCHEMA: schema, ADMIN_TOKEN: adminToken },
      testLogger(),
    );
    // Ingest shows its certificate to preferences, and serves with it.
    ingest = await startIngest(
      { ...loadIngestConfig(tlsEnv(certs.client)), ...common, PREFERENCES_ADDR: `127.0.0.1:${preferences.port}` },
      testLogger(),
    );
  });

  afterAll(async () => {
    await ingest?.stop();
    await preferences?.stop();
    await cleanup?.();
    await dropSchemas(schema);
    await certs?.cleanup();
  });

  const directory = (channel: ChannelCredentials) =>
    new DirectoryClient(`127.0.0.1:${preferences.port}`, ...clientOptions(channel));
  const upsertAccount = async (channel: ChannelCredentials) => {
    const client = directory(channel);
    try {
      const id = uniqueName('acct');
      return await callUnary(
        client.upsertAccount.bind(client),
        { id, name: 'Acme' },
        { deadlineMs: 5_000, bearer: adminToken },
      );
    } finally {
      client.close();
    }
  };

  it('serves a client that shows a certificate of the CA, and ingest authorizes keys through it', async () => {
    const channel = channelCredentials(certs.client);
    await untilServing(`127.0.0.1:${preferences.port}`, 5_000, channel);
    const account = await upsertAccount(channel);
    const client = directory(channel);
    const ingestClient = new NotificationIngestClient(`127.0.0.1:${ingest.port}`, ...clientOptions(channel));
    try {
      const admin = { deadlineMs: 5_000, bearer: adminToken };
      const provider = await callUnary(
        client.registerProvider.bind(client),
        { accountId: account.id, name: 'Telephony', iconUrl: '', defaultChannels: [Channel.CHANNEL_EMAIL] },
        admin,
      );
      const { apiKey } = await callUnary(
        client.issueApiKey.bind(client),
        { accountId: account.id, providerId: provider.id, name: 'mtls' },
        admin,
      );
      const reply = await callUnary(
        ingestClient.addError.bind(ingestClient),
        { text: 'Sent over mTLS', recipients: [] },
        { deadlineMs: 5_000, bearer: apiKey },
      );
      expect(reply.duplicate).toBe(false);
    } finally {
      client.close();
      ingestClient.close();
    }
  });

  it.each([
    ['a plaintext client', () => credentials.createInsecure()],
    ['a TLS client without a certificate', () => credentials.createSsl(readCa())],
    ['a client whose certificate another CA signed', () => channelCredentials(certs.stranger)],
  ])('refuses %s', async (_, channel) => {
    const err = await rejection(upsertAccount(channel()));
    expect(err.code).toBe(status.UNAVAILABLE);
  });

  function readCa(): Buffer {
    return readFileSync(certs.server.caFile);
  }
});
