import { fork } from 'node:child_process';
import { once } from 'node:events';
import { credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import { echoService } from './dist/bare-servers.js';
const child = fork('./dist/bare-servers.js', ['grpc']);
const [{ port }] = await once(child, 'message');
const Echo = makeGenericClientConstructor(echoService, 'bench.Echo');
for (const conc of [1, 8, 64]) for (const dl of [false, true]) {
  const client = new Echo(`127.0.0.1:${port}`, credentials.createInsecure());
  let n = 0; const end = performance.now() + 3000; const req = Buffer.alloc(250, 7);
  await Promise.all(Array.from({ length: conc }, async () => { while (performance.now() < end) { await new Promise((res, rej) => client.Echo(req, dl ? { deadline: Date.now() + 10000 } : {}, (e) => e ? rej(e) : res())); n++; } }));
  console.log(conc, dl, n / 3); client.close();
}
child.kill();
