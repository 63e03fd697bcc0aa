import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM files of one party, as GRPC_TLS_CERT, GRPC_TLS_KEY and GRPC_TLS_CA name them. */
export interface TestTlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

export interface TestCertificates {
  /** For 127.0.0.1 and localhost, signed by the test CA. */
  server: TestTlsFiles;
  /** A client signed by the same CA. */
  client: TestTlsFiles;
  /** A client that trusts the server, but whose certificate a CA of its own signed: the server refuses it. */
  stranger: TestTlsFiles;
  cleanup(): Promise<void>;
}

const openssl = (...args: string[]) => run('openssl', args);
const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function authority(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await openssl('req', '-x509', ...ecKey, '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${name}`);
  return { cert, key };
}

async function issue(dir: string, name: string, ca: { cert: string; key: string }): Promise<TestTlsFiles> {
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const certFile = join(dir, `${name}.crt`);
  const extensions = join(dir, `${name}.ext`);
  await writeFile(extensions, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl('req', ...ecKey, '-keyout', keyFile, '-out', csr, '-subj', `/CN=${name}`);
  await openssl(
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-out',
    certFile,
    '-days',
    '1',
    '-extfile',
    extensions,
  );
  return { certFile, keyFile, caFile: ca.cert };
}

/** A throwaway CA with a server and a client certificate, and a stranger signed by another CA (needs openssl). */
export async function testCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-tls-'));
  try {
    const ca = await authority(dir, 'herald-test-ca');
    const other = await authority(dir, 'other-ca');
    return {
      server: await issue(dir, 'server', ca),
      client: await issue(dir, 'client', ca),
      stranger: { ...(await issue(dir, 'stranger', other)), caFile: ca.cert },
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
