import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHarness, type Harness } from '../../gateway/test/harness.js';

/** Where the specs write their screenshots (git-ignored). */
export const outputDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-output');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(outputDir, { recursive: true });
  await page.screenshot({
    path: join(outputDir, `${name}.png`),
    animations: 'disabled',
    fullPage: name.startsWith('settings'),
  });
}

/** Waits until the page's center is live: from then on, whatever is sent shows. */
export async function untilLive(page: Page): Promise<void> {
  await page.locator('herald-notification-center[live]').waitFor({ state: 'attached' });
}

/** The real stack and a dev-mode gateway serving the built web app. */
export function startWebHarness(): Promise<Harness> {
  return startHarness({ HERALD_DEV_MODE: 'true' });
}

export async function signIn(h: Harness, account: string, user: string): Promise<string> {
  const answer = await h.request({ method: 'POST', url: '/dev/sign-in', body: { account, user } });
  if (answer.statusCode !== 200) throw new Error(`sign-in: ${answer.statusCode} ${answer.body}`);
  return answer.json<{ token: string }>().token;
}

/** Sets a user's language and time zone through the admin routes. */
export async function setUser(h: Harness, account: string, user: string, locale: string): Promise<void> {
  const answer = await h.request({
    method: 'PUT',
    url: `/api/v1/admin/accounts/${account}/users/${user}`,
    bearer: 'admin-token-for-specs',
    body: { email: `${user}@example.com`, timezone: 'Europe/Madrid', locale },
  });
  if (answer.statusCode >= 300) throw new Error(`user: ${answer.statusCode} ${answer.body}`);
}

/** Sends a call through the integration API, as an integration does. */
export async function send(h: Harness, apiKey: string, method: string, body: Record<string, unknown>): Promise<string> {
  const answer = await h.request({ method: 'POST', url: `/api/v1/notifications/${method}`, bearer: apiKey, body });
  if (answer.statusCode >= 300) throw new Error(`${method}: ${answer.statusCode} ${answer.body}`);
  return answer.json<{ id: string }>().id;
}

/**
 * A plain page of the test's own, on another origin than the gateway: the one
 * script tag and the element, as a CRM embeds them; `/crm/…` stands in for the CRM's pages.
 */
export interface HostPage {
  origin: string;
  url(token: string, options?: { lang?: string }): string;
  close(): Promise<void>;
}

export async function startHostPage(gateway: string): Promise<HostPage> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://host');
    if (url.pathname === '/icon.svg') {
      response.writeHead(200, { 'content-type': 'image/svg+xml' });
      response.end(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle cx="4" cy="4" r="4" fill="#047857"/></svg>',
      );
      return;
    }
    if (url.pathname.startsWith('/crm/')) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><title>CRM</title><h1>CRM page ${url.pathname}</h1>`);
      return;
    }
    const token = url.searchParams.get('token') ?? '';
    const lang = url.searchParams.get('lang');
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A CRM page</title>
<style>body { font: 16px serif; color: red } button { background: lime }</style>
<script src="${gateway}/embed.js"></script></head>
<body><h1>Deals</h1><p>The host page's own content.</p>
<herald-notification-center gateway="${gateway}" token="${token}" crm-base="${origin}"
  popup-duration="1500"${lang ? ` lang="${lang}"` : ''}></herald-notification-center>
</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (token, options = {}) =>
      `${origin}/?token=${encodeURIComponent(token)}${options.lang ? `&lang=${options.lang}` : ''}`,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * The accessibility rules of axe-core (WCAG 2.1 A and AA: contrast, names,
 * roles) that the page breaks, shadow roots included; empty when it passes.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(context: object, options: object): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(
      { include: [['herald-notification-center'], ['herald-settings-page'], ['herald-app']] },
      { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } },
    );
    return result.violations.map((v) => ({
      id: v.id,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.map((v) => `${v.id} (${v.help}): ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}
