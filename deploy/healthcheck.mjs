// @ts-check
// A container healthcheck, since the image has no grpc_health_probe: one
// grpc.health.v1.Health/Check call for the whole server (service ""), over
// plain HTTP/2 with Node built-ins; or, for a service without gRPC, GET
// /healthz on HTTP_PORT. Exit 0 when SERVING (or 200).
import { connect } from 'node:http2';

/** @type {(reason: string) => never} */
const fail = (reason) => {
  console.error(`unhealthy: ${reason}`);
  process.exit(1);
};
setTimeout(() => fail('no answer within 3 s'), 3_000).unref();

const port = Number(process.env.GRPC_PORT);
if (!port) {
  const httpPort = Number(process.env.HTTP_PORT);
  if (!httpPort) fail('neither GRPC_PORT nor HTTP_PORT is set');
  const response = await fetch(`http://127.0.0.1:${httpPort}/healthz`).catch((err) => fail(String(err.cause ?? err)));
  process.exit(response.ok ? 0 : fail(`GET /healthz answered ${response.status}`));
}

const session = connect(`http://127.0.0.1:${port}`);
session.on('error', (err) => fail(err.message));
const call = session.request({
  ':method': 'POST',
  ':path': '/grpc.health.v1.Health/Check',
  'content-type': 'application/grpc',
  te: 'trailers',
});
// A gRPC frame: no compression, length 0 (an empty HealthCheckRequest).
call.end(Buffer.alloc(5));

/** @type {Buffer[]} */
const chunks = [];
/** @type {string | string[] | undefined} */
let grpcStatus;
call.on('response', (headers) => (grpcStatus = headers['grpc-status']));
call.on('trailers', (trailers) => (grpcStatus = trailers['grpc-status']));
call.on('error', (err) => fail(err.cause?.message ?? err.message));
call.on('data', (chunk) => chunks.push(chunk));
call.on('end', () => {
  session.close();
  if (grpcStatus !== '0') fail(`grpc-status ${grpcStatus}`);
  // After the 5-byte frame header, HealthCheckResponse { status = 1 (SERVING) } is 0x08 0x01.
  const message = Buffer.concat(chunks).subarray(5);
  if (message[0] !== 0x08 || message[1] !== 0x01) fail(`not serving (status ${message[1] ?? 0})`);
  process.exit(0);
});
