import { readFileSync } from 'node:fs';
import { ServerCredentials, credentials, type ChannelCredentials } from '@grpc/grpc-js';

/** PEM files of one service: its own certificate and key, and the CA that signs every peer. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

function read(what: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new Error(`cannot read the TLS ${what} ${path}`, { cause });
  }
}

/**
 * What a server binds with: plaintext without files, else TLS that requires
 * every client to show a certificate signed by the CA (mutual TLS).
 */
export function serverCredentials(tls: TlsFiles | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    read('CA', tls.caFile),
    [{ cert_chain: read('certificate', tls.certFile), private_key: read('key', tls.keyFile) }],
    true,
  );
}

/** What a client connects with: plaintext without files, else TLS showing this service's certificate. */
export function channelCredentials(tls: TlsFiles | undefined): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  return credentials.createSsl(read('CA', tls.caFile), read('key', tls.keyFile), read('certificate', tls.certFile));
}
