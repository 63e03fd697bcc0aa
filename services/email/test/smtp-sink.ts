import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  readonly to: readonly string[];
  readonly parsed: ParsedMail;
}

/**
 * A real SMTP server for specs: keeps every mail it accepts (parsed by
 * mailparser), refuses the recipients it is told to with 550, and counts
 * every RCPT TO it was offered.
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  readonly recipientTries = new Map<string, number>();
  private server: SMTPServer | undefined;

  private constructor(
    readonly port: number,
    private readonly refuse: (address: string) => boolean,
  ) {}

  /** Listens on `port` (0: any free one). */
  static async start(options: { port?: number; refuse?: (address: string) => boolean } = {}): Promise<SmtpSink> {
    const sink = new SmtpSink(options.port ?? 0, options.refuse ?? (() => false));
    return sink.listen();
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  to(address: string): ReceivedMail[] {
    return this.mails.filter((m) => m.to.includes(address));
  }

  private async listen(): Promise<SmtpSink> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        const to = address.address.toLowerCase();
        this.recipientTries.set(to, (this.recipientTries.get(to) ?? 0) + 1);
        if (this.refuse(to)) {
          callback(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
          return;
        }
        callback();
      },
      onData: (stream, session, callback) => {
        simpleParser(stream).then(
          (parsed) => {
            this.mails.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), parsed });
            callback();
          },
          (err: Error) => callback(err),
        );
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    Object.assign(this, { port: (server.server.address() as AddressInfo).port });
    this.server = server;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A port that takes connections and drops each at once: an SMTP server that is down. Counts the attempts. */
export async function droppingPort(): Promise<{ port: number; attempts: () => number; close(): Promise<void> }> {
  let attempts = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    attempts++;
    sockets.add(socket);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    attempts: () => attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
