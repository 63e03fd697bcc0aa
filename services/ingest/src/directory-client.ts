import { status, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { DirectoryClient } from '@herald/contracts';
import { HeraldError, InvalidArgumentError, UnauthenticatedError, UnavailableError } from '@herald/errors';
import { FIELD_METADATA_KEY, callUnary, clientOptions } from '@herald/rpc';
import type { Authorizer } from './ingest.js';

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}

/** Authorizes API keys and person tokens with the preferences service, over gRPC. */
export class DirectoryAuthorizer implements Authorizer {
  private readonly client: DirectoryClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
    channel?: ChannelCredentials,
  ) {
    this.client = new DirectoryClient(address, ...clientOptions(channel));
  }

  async authorize(apiKey: string, recipients: readonly string[]) {
    try {
      const reply = await callUnary(
        this.client.authorize.bind(this.client),
        { apiKey, recipients: [...recipients] },
        { deadlineMs: this.deadlineMs },
      );
      if (!reply.provider) throw new HeraldError('INTERNAL', 'directory replied without a provider');
      return {
        accountId: reply.accountId,
        provider: reply.provider,
        unknownRecipients: reply.unknownRecipients,
        ...(reply.expiresAt ? { expiresAt: reply.expiresAt } : {}),
      };
    } catch (err) {
      if (!isServiceError(err)) throw err;
      if (err.code === status.UNAUTHENTICATED) throw new UnauthenticatedError(err.details, { cause: err });
      if (err.code === status.INVALID_ARGUMENT) {
        // The directory's own refusal of the request (a person token naming no recipients).
        const [field] = err.metadata.get(FIELD_METADATA_KEY);
        const name = typeof field === 'string' && field !== '' ? field : 'recipients';
        const message = err.details.startsWith(`${name}: `) ? err.details.slice(name.length + 2) : err.details;
        throw new InvalidArgumentError(name, message, { cause: err });
      }
      if (err.code === status.UNAVAILABLE || err.code === status.DEADLINE_EXCEEDED) {
        throw new UnavailableError('the directory is unavailable; try again', { cause: err });
      }
      throw new HeraldError('INTERNAL', `directory: ${err.details}`, { cause: err });
    }
  }

  close(): void {
    this.client.close();
  }
}
