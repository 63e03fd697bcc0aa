import { Client, Metadata, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { FIELD_METADATA_KEY } from '@herald/rpc';

/** How a call ended. */
export interface Answer {
  code: status;
  details: string;
  /** The `herald-field` trailer of an INVALID_ARGUMENT. */
  field: string | undefined;
}

const passThrough = (bytes: Buffer): Buffer => bytes;

/**
 * A gRPC client that sends the request bytes as they are: the server decodes
 * them, so a property can send what no generated client would encode.
 */
export class RawClient {
  private readonly client: Client;

  constructor(address: string) {
    this.client = new Client(address, credentials.createInsecure(), { 'grpc.enable_channelz': 0 });
  }

  call(path: string, request: Uint8Array, bearer: string | undefined, deadlineMs: number): Promise<Answer> {
    const metadata = new Metadata();
    if (bearer) metadata.set('authorization', `Bearer ${bearer}`);
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(
        path,
        passThrough,
        passThrough,
        Buffer.from(request),
        metadata,
        { deadline: Date.now() + deadlineMs },
        (err: ServiceError | null) => {
          if (!err) {
            resolve({ code: status.OK, details: '', field: undefined });
            return;
          }
          const [field] = err.metadata?.get(FIELD_METADATA_KEY) ?? [];
          resolve({ code: err.code, details: err.details, field: typeof field === 'string' ? field : undefined });
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }
}
