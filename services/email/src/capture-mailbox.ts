import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Logger } from '@herald/telemetry';

/** Mails kept: the newest ones, enough to look through a session's work. */
const kept = 200;

interface Captured {
  readonly id: number;
  readonly receivedAt: Date;
  readonly mail: ParsedMail;
}

export interface CaptureMailbox {
  /** smtp://127.0.0.1:<port>: what the mailer sends to. */
  readonly smtpUrl: string;
  /** The page listing the mails received. */
  readonly pageUrl: string;
  close(): Promise<void>;
}

const escapes: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => escapes[c] ?? c);

function addressText(value: ParsedMail['to']): string {
  if (!value) return '';
  return (Array.isArray(value) ? value : [value]).map((a) => a.text).join(', ');
}

function listPage(mails: readonly Captured[]): string {
  const rows = mails
    .map(
      (c) =>
        `<tr><td>${escapeHtml(c.receivedAt.toISOString())}</td><td>${escapeHtml(addressText(c.mail.to))}</td>` +
        `<td><a href="/mails/${c.id}">${escapeHtml(c.mail.subject ?? '(no subject)')}</a></td></tr>`,
    )
    .join('');
  return `<!doctype html><meta charset="utf-8"><title>Herald mailbox</title>
<style>body{font:14px system-ui;margin:2rem}td{padding:.3rem .8rem;border-bottom:1px solid #ddd}</style>
<h1>Mail sent by Herald (${mails.length})</h1>
<table><tr><th>received</th><th>to</th><th>subject</th></tr>${rows}</table>`;
}

function mailPage(c: Captured): string {
  const headers = [...c.mail.headers.entries()]
    .filter(([name]) =>
      ['from', 'to', 'subject', 'date', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post'].includes(name),
    )
    .map(
      ([name, value]) =>
        `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(typeof value === 'string' ? value : JSON.stringify(value))}</td></tr>`,
    )
    .join('');
  // The mail's HTML in a sandboxed frame: shown as a client would, no script runs.
  const html = typeof c.mail.html === 'string' ? c.mail.html : '';
  return `<!doctype html><meta charset="utf-8"><title>${escapeHtml(c.mail.subject ?? '')}</title>
<style>body{font:14px system-ui;margin:2rem}iframe{width:100%;height:70vh;border:1px solid #ccc}pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem}</style>
<p><a href="/">← all mails</a></p><table>${headers}</table>
<iframe sandbox srcdoc="${escapeHtml(html)}"></iframe>
<h2>Plain text</h2><pre>${escapeHtml(c.mail.text ?? '')}</pre>`;
}

/**
 * A local SMTP server that keeps what it receives and a page that shows it:
 * what `npm start` sends mail to when no SMTP server is configured.
 */
export async function startCaptureMailbox(options: { httpPort: number; logger: Logger }): Promise<CaptureMailbox> {
  const mails: Captured[] = [];
  let nextId = 1;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          mails.unshift({ id: nextId++, receivedAt: new Date(), mail });
          mails.length = Math.min(mails.length, kept);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(0, '127.0.0.1', () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const http: Server = createServer((req, res) => {
    const match = /^\/mails\/(\d+)$/.exec(req.url ?? '');
    const found = match ? mails.find((c) => c.id === Number(match[1])) : undefined;
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(listPage(mails));
    } else if (found) {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "script-src 'none'" })
        .end(mailPage(found));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.httpPort, '127.0.0.1', () => resolve());
  });
  const pageUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  options.logger.warn({ mailbox: pageUrl }, `no SMTP_URL: mail goes to the capture mailbox, see ${pageUrl}`);
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    pageUrl,
    async close() {
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}
