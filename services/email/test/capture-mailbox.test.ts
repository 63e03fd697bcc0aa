import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bus } from '@herald/bus';
import { topics, type Delivery } from '@herald/contracts';
import { loadEmailConfig, startEmail, type RunningEmail } from '@herald/email';
import { buildDelivery, dropSchemas, eventually, isolatedBus, testLogger, uniqueName } from '@herald/testing';
import { emailTestConfig } from './harness.js';

describe('email without an SMTP server', () => {
  const schema = uniqueName('email_capture_');
  let bus: Bus;
  let namespace: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ bus, namespace, cleanup } = await isolatedBus('email-capture-test'));
  });

  afterAll(async () => {
    await cleanup();
    await dropSchemas(schema);
  });

  const config = (overrides: Record<string, unknown>) => ({
    ...emailTestConfig(namespace, schema),
    MAILBOX_HTTP_PORT: 0,
    ...overrides,
  });

  it('refuses to start outside dev mode, naming SMTP_URL', async () => {
    await expect(startEmail(config({ HERALD_DEV_MODE: false }), testLogger(), { cron: false })).rejects.toThrow(
      /SMTP_URL/,
    );
  });

  it('names a bad SMTP_URL and every other bad variable at once', () => {
    expect(() => loadEmailConfig({ SMTP_URL: 'http://mail.example.com', SMTP_POOL_SIZE: '0' })).toThrow(
      /SMTP_URL[\s\S]*SMTP_POOL_SIZE|SMTP_POOL_SIZE[\s\S]*SMTP_URL/,
    );
  });

  it('in dev mode, keeps every mail in a capture mailbox whose page lists and shows it', async () => {
    let service: RunningEmail | undefined;
    try {
      service = await startEmail(config({ HERALD_DEV_MODE: true }), testLogger(), { cron: false });
      const page = service.mailboxUrl!;
      expect(page).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const user = uniqueName('u');
      const base = buildDelivery({ accountId: 'acme', userId: user, notificationId: 'n1', channel: 'CHANNEL_EMAIL' });
      const error = {
        $case: 'error',
        value: { header: '<i>Broken</i>', text: 'Contact not found', link: '' },
      } as const;
      const delivery: Delivery = { ...base, notification: { ...base.notification!, body: error } };
      await bus.publish(topics.delivery, ['email', 'acme'], delivery, { msgID: delivery.id });
      const list = await eventually(async () => {
        const html = await (await fetch(page)).text();
        expect(html).toContain(`${user}@example.com`);
        return html;
      });
      expect(list).toContain('Error: &lt;i&gt;Broken&lt;/i&gt;');
      const link = /href="(\/mails\/\d+)"/.exec(list)?.[1];
      const shown = await fetch(new URL(link!, page));
      expect(shown.headers.get('content-security-policy')).toContain("script-src 'none'");
      const body = await shown.text();
      expect(body).toContain('<iframe sandbox srcdoc="');
      expect(body).toContain('Contact not found');
      expect(body).not.toContain('<i>Broken</i>');
    } finally {
      await service?.stop();
    }
  });
});
