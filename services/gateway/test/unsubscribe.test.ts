import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { signUnsubscribe } from '@herald/auth';
import { startEmail, type RunningEmail } from '@herald/email';
import { dropSchemas, eventually, testLogger, uniqueName } from '@herald/testing';
import { emailTestConfig } from '../../email/test/harness.js';
import { SmtpSink } from '../../email/test/smtp-sink.js';
import { adminToken, startHarness, type Answer, type Harness } from './harness.js';

const key = 'unsubscribe-key-of-the-gateway-spec-0123456789';
const errorOf = (answer: Answer) => answer.json<{ error: { code: string; field?: string } }>().error;

type Settings = { providers: Record<string, { channels: Record<string, boolean> }> };

describe('one-click unsubscribe from an email (RFC 8058)', () => {
  let h: Harness;
  let sink: SmtpSink;
  let email: RunningEmail;
  const schema = uniqueName('email_');
  const account = uniqueName('acct');
  let alice: string;
  let hostile: string;
  let base: string;

  beforeAll(async () => {
    h = await startHarness({ UNSUBSCRIBE_KEY: key });
    base = `http://127.0.0.1:${h.gateway.port}`;
    sink = await SmtpSink.start();
    email = await startEmail(
      {
        ...emailTestConfig(h.stack.namespace, schema),
        SMTP_URL: sink.url,
        UNSUBSCRIBE_KEY: key,
        UNSUBSCRIBE_URL: `${base}/api/v1/unsubscribe`,
      },
      testLogger(),
      { cron: false },
    );
    const { secret } = await h.seed(account, ['alice', 'bob']);
    alice = await new SignJWT({ account, user: 'alice' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(secret));
    // An integration that mails by default, with a name no page may run.
    const admin = (method: 'PUT' | 'POST', url: string, body: unknown) =>
      h.request({ method, url: `/api/v1/admin/accounts/${account}${url}`, bearer: adminToken, body });
    hostile = (
      await admin('PUT', '/providers/crm-bot', {
        name: '<img src=x onerror=alert(1)>Bot',
        default_channels: ['email'],
      })
    ).json<{ id: string }>().id;
    await admin('PUT', '/providers/telephony', { name: 'Telephony', default_channels: ['email'] });
  });
  afterAll(async () => {
    await email.stop();
    await h.stop();
    await sink.close();
    await dropSchemas(schema);
  });

  const settings = async () =>
    (await h.request({ method: 'GET', url: '/api/v1/me/settings', bearer: alice })).json<Settings>().providers;

  /** A real mail to alice from the hostile integration; its List-Unsubscribe link. */
  async function mailedLink(): Promise<{ link: string; post: string | undefined; html: string }> {
    const keyOf = await h.request({
      method: 'POST',
      url: `/api/v1/admin/accounts/${account}/api_keys`,
      bearer: adminToken,
      body: { provider_id: hostile },
    });
    await h.request({
      method: 'POST',
      url: '/api/v1/notifications/add_error',
      bearer: keyOf.json<{ api_key: string }>().api_key,
      body: { text: 'A mail to unsubscribe from', users: ['alice'] },
    });
    const mail = await eventually(() => {
      const [received] = sink.to('alice@example.com');
      expect(received).toBeDefined();
      return received!;
    });
    const header = (name: string) =>
      mail.parsed.headerLines.find((l) => l.key === name)?.line.replace(/\r?\n\s+/g, ' ');
    const link = /^List-Unsubscribe: <([^>]+)>$/.exec(header('list-unsubscribe') ?? '')?.[1] ?? '';
    return { link, post: header('list-unsubscribe-post'), html: String(mail.parsed.html) };
  }

  let link: string;

  it('puts a signed link to the gateway in the header and the footer of a real mail', async () => {
    const mailed = await mailedLink();
    link = mailed.link;
    expect(link.startsWith(`${base}/api/v1/unsubscribe?`)).toBe(true);
    expect(Object.fromEntries(new URL(link).searchParams)).toMatchObject({ account, user: 'alice', scope: hostile });
    expect(mailed.post).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(mailed.html.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&')).toContain(`href="${link}"`);
  });

  it('shows a page that names the provider, escaped, with a button and no script; changing nothing', async () => {
    const response = await fetch(link);
    const body = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;Bot');
    expect(body).not.toContain('<img');
    expect(body).not.toContain('<script');
    expect(body).toContain('<input type="hidden" name="List-Unsubscribe" value="One-Click">');
    expect((await settings())[hostile]?.channels['email']).toBe(true);
  });

  it('refuses a tampered link with 403 and changes nothing', async () => {
    const url = new URL(link);
    const forged = [new URL(link), new URL(link), new URL(link)];
    forged[0]!.searchParams.set('sig', `${url.searchParams.get('sig')?.slice(0, -2)}AA`);
    forged[1]!.searchParams.set('user', 'bob');
    forged[2]!.searchParams.set('scope', 'all');
    for (const tampered of forged) {
      const post = await fetch(tampered, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect([tampered.search, post.status]).toEqual([tampered.search, 403]);
      expect((await fetch(tampered)).status).toBe(403);
    }
    const current = await settings();
    expect([current[hostile]?.channels['email'], current[`${account}.telephony`]?.channels['email']]).toEqual([
      true,
      true,
    ]);
  });

  it('refuses a POST without List-Unsubscribe=One-Click, naming the field', async () => {
    const answer = await h.request({
      method: 'POST',
      url: link.slice(base.length),
      body: 'List-Unsubscribe=Maybe',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([answer.statusCode, errorOf(answer).field]).toEqual([400, 'List-Unsubscribe']);
  });

  it('switches the mail’s provider off for email with the one-click POST, and nothing else', async () => {
    const post = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(post.status).toBe(200);
    const current = await settings();
    expect(current[hostile]?.channels).toMatchObject({ email: false, interface: true });
    expect(current[`${account}.telephony`]?.channels['email']).toBe(true);
  });

  it('switches all email off with an `all` link (the digest’s), posted as multipart', async () => {
    const all = { account, user: 'alice', scope: 'all' };
    const url = new URL(`${base}/api/v1/unsubscribe`);
    for (const [name, value] of Object.entries({ ...all, sig: signUnsubscribe(all, key) })) {
      url.searchParams.set(name, value);
    }
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    expect((await fetch(url, { method: 'POST', body: form })).status).toBe(200);
    const current = await settings();
    expect(Object.values(current).filter((p) => p.channels['email'])).toEqual([]);
  });
});
