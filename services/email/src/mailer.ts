import nodemailer from 'nodemailer';
import type { MailContent } from './mail-content.js';

/** One mail to one address. */
export interface OutgoingMail {
  readonly to: string;
  readonly content: MailContent;
  /** Stable per delivery (or digest slot): the Message-ID, so a receiving server can spot a repeat. */
  readonly messageKey: string;
}

/** Hands mail to an SMTP server. */
export interface Mailer {
  /** Resolves with the Message-ID the server accepted; rejects with a MailError. */
  send(mail: OutgoingMail): Promise<string>;
  close(): void;
}

/**
 * A refusal or failure of the SMTP exchange. `permanent`: the server refused
 * this recipient or message for good (5xx), so no retry can succeed.
 */
export class MailError extends Error {
  readonly permanent: boolean;

  constructor(message: string, permanent: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MailError';
    this.permanent = permanent;
  }
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/** 5xx to the envelope or the message is the server's final word; a 5xx to anything else (auth, connection) is ours to fix. */
export function classify(err: unknown): MailError {
  const failure = (typeof err === 'object' && err !== null ? err : {}) as SmtpFailure;
  const code = failure.responseCode ?? 0;
  const permanent = code >= 500 && code < 600 && (failure.code === 'EENVELOPE' || failure.code === 'EMESSAGE');
  const text = failure.response ?? failure.message ?? String(err);
  return new MailError(`SMTP ${code || failure.code || 'error'}: ${text}`, permanent, { cause: err });
}

export interface SmtpOptions {
  url: string;
  from: string;
  poolSize: number;
  timeoutMs: number;
  /** The domain of generated Message-IDs. */
  messageIdDomain: string;
}

/** nodemailer over pooled SMTP connections. */
export function smtpMailer(options: SmtpOptions): Mailer {
  const transport = nodemailer.createTransport({
    url: options.url,
    pool: true,
    maxConnections: options.poolSize,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    // A dropped connection fails the send at once: the consumer retries with its own backoff and counts the tries.
    maxRequeues: 0,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: mail.to,
          subject: mail.content.subject,
          html: mail.content.html,
          text: mail.content.text,
          messageId: `<${mail.messageKey}@${options.messageIdDomain}>`,
          list: { unsubscribe: mail.content.unsubscribeUrl },
          headers: mail.content.oneClick ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {},
          // The pool keeps a message queued while it cannot connect: bounded here, below the consumer's ack wait,
          // so a try ends (and is retried with backoff) before JetStream would hand the message to another replica.
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        return String(info.messageId);
      } catch (err) {
        throw classify(err);
      }
    },
    close() {
      transport.close();
    },
  };
}
