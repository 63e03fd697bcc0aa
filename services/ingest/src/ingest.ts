import { v5 as uuidv5 } from 'uuid';
import type { AddReply, Notification, Popup, ProviderRef, ShowReply } from '@herald/contracts';
import { HeraldError, InvalidArgumentError, UnavailableError } from '@herald/errors';
import { annotateSpan, type Logger } from '@herald/telemetry';
import { nextId } from './ids.js';
import type { Accepted, AcceptedPopup } from './validate.js';

/**
 * Who holds an API key (or a person token), and which recipients are not
 * users of its account; `expiresAt` when the credential ends on its own.
 */
export interface Authorizer {
  authorize(
    apiKey: string,
    recipients: readonly string[],
  ): Promise<{ accountId: string; provider: ProviderRef; unknownRecipients: string[]; expiresAt?: Date }>;
}

export interface NotificationPublisher {
  /** Stores the notification in the stream; `duplicate` when its id was already there. */
  publishNotification(notification: Notification): Promise<{ duplicate: boolean }>;
  /** Sends a popup to the live feed of each recipient, or of every user when none are given. */
  publishPopup(popup: Popup, recipients: readonly string[]): void;
}

/** Fixed namespace for ids derived from idempotency keys (UUIDv5). */
const IDEMPOTENCY_NAMESPACE = '6f1c9a52-3b7e-4d8a-9c61-2f0e5b4a7d13';

type Body = NonNullable<Notification['body']>;

/** One validated call of a batch: a stored kind with its body wrapped, or a popup. */
export type BatchCall = { kind: 'add'; accepted: Accepted<Body> } | { kind: 'show'; accepted: AcceptedPopup };

/** What became of one item of a batch. */
export type BatchOutcome =
  { kind: 'added'; reply: AddReply } | { kind: 'shown'; reply: ShowReply } | { kind: 'refused'; error: HeraldError };

type Authorization = Awaited<ReturnType<Authorizer['authorize']>>;

/**
 * Turns validated requests into notifications and popups. The account and the
 * provider come from the API key, never from the request.
 */
export class Ingest {
  constructor(
    private readonly authorizer: Authorizer,
    private readonly publisher: NotificationPublisher,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async add<B>(apiKey: string, accepted: Accepted<B>, wrap: (body: B) => Body): Promise<AddReply> {
    const authorization = await this.authorizer.authorize(apiKey, accepted.recipients);
    return this.store(authorization, { ...accepted, body: wrap(accepted.body) });
  }

  async show(apiKey: string, accepted: AcceptedPopup): Promise<ShowReply> {
    const authorization = await this.authorizer.authorize(apiKey, accepted.recipients);
    return this.pop(authorization, accepted);
  }

  /**
   * Many calls with one key: one question to the directory for every
   * recipient of the batch, then every stored kind published at once. An item
   * refused (before, or by the stream) is answered on its own; the key being
   * refused refuses the batch, unless no item is left to store.
   */
  async batch(apiKey: string, calls: readonly (BatchCall | HeraldError)[], logger: Logger): Promise<BatchOutcome[]> {
    const everyone = new Set<string>();
    for (const call of calls) {
      if (!(call instanceof HeraldError)) for (const user of call.accepted.recipients) everyone.add(user);
    }
    // Nothing left to store: every item is answered with its own refusal, as each alone would have been
    // (a call is checked before its key is).
    if (calls.every((call) => call instanceof HeraldError)) {
      return calls.map((error) => ({ kind: 'refused', error: error as HeraldError }));
    }
    const authorization = await this.authorizer.authorize(apiKey, [...everyone]);
    return Promise.all(
      calls.map(async (call): Promise<BatchOutcome> => {
        if (call instanceof HeraldError) return { kind: 'refused', error: call };
        try {
          if (call.kind === 'show') return { kind: 'shown', reply: this.pop(authorization, call.accepted) };
          return { kind: 'added', reply: await this.store(authorization, call.accepted) };
        } catch (err) {
          if (err instanceof HeraldError) return { kind: 'refused', error: err };
          logger.warn({ err }, 'batch item not stored');
          return { kind: 'refused', error: new UnavailableError('not stored; send it again', { cause: err }) };
        }
      }),
    );
  }

  private async store(authorization: Authorization, accepted: Accepted<Body>): Promise<AddReply> {
    const { accountId, provider, known, unknownRecipients } = this.known(authorization, accepted.recipients);
    const ingestedAt = this.now();
    const id = accepted.idempotencyKey
      ? uuidv5(`${accountId}\n${provider.id}\n${accepted.idempotencyKey}`, IDEMPOTENCY_NAMESPACE)
      : nextId();
    annotateSpan({ 'herald.notification_id': id, 'herald.account_id': accountId });
    const { duplicate } = await this.publisher.publishNotification({
      id,
      accountId,
      provider,
      recipients: known,
      occurredAt: accepted.date === undefined ? ingestedAt : new Date(accepted.date * 1000),
      ingestedAt,
      body: accepted.body,
    });
    return { id, duplicate, unknownRecipients };
  }

  private pop(authorization: Authorization, accepted: AcceptedPopup): ShowReply {
    const { accountId, provider, known, unknownRecipients } = this.known(authorization, accepted.recipients);
    const id = nextId();
    annotateSpan({ 'herald.popup_id': id, 'herald.account_id': accountId });
    this.publisher.publishPopup(
      {
        id,
        accountId,
        provider,
        date: accepted.date === undefined ? this.now() : new Date(accepted.date * 1000),
        kind: accepted.kind,
      },
      known,
    );
    return { id, unknownRecipients };
  }

  /** The recipients split by whether they are users of the key's account; none known is refused. */
  private known(authorization: Authorization, recipients: readonly string[]) {
    const { accountId, provider } = authorization;
    const unknown = new Set(authorization.unknownRecipients);
    const known = recipients.filter((r) => !unknown.has(r));
    if (recipients.length > 0 && known.length === 0) {
      throw new InvalidArgumentError('recipients', `none is a user of account ${accountId}`);
    }
    return { accountId, provider, known, unknownRecipients: recipients.filter((r) => unknown.has(r)) };
  }
}
