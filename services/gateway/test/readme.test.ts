import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@herald/testing';
import { startHarness, type Harness } from './harness.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);
/** Where the README sends its requests: `npm start`'s gateway. */
const readmeUrl = 'http://127.0.0.1:8080';

/** The commands of the README's "Send a first notification", in order, with their continuation lines joined. */
function firstNotificationCommands(): string[] {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## Send a first notification'), readme.indexOf('## API'));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => (m[1] ?? '').replace(/\\\n\s*/g, ''))
    .flatMap((block) => block.split('\n'))
    .filter((line) => line !== '' && !line.startsWith('grpcurl'));
}

describe('the README', () => {
  let h: Harness;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    h = await startHarness({ HERALD_DEV_MODE: 'true' });
    env = {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      HERALD_INGEST_ADDR: `127.0.0.1:${h.stack.ingestService.port}`,
      HERALD_INTERFACE_ADDR: `127.0.0.1:${h.stack.interfaceService.port}`,
      HERALD_PREFERENCES_ADDR: `127.0.0.1:${h.stack.preferencesService.port}`,
    };
  });
  afterAll(() => h.stop());

  const sh = async (script: string) =>
    (
      await run('bash', ['-euc', script.replaceAll(readmeUrl, `http://127.0.0.1:${h.gateway.port}`)], {
        cwd: root,
        env,
      })
    ).stdout;

  it('sends a first notification over HTTP and reads it back as the user, with the commands it shows', async () => {
    const [setup, exportKey, send, signIn, list, ...rest] = firstNotificationCommands();
    expect(rest).toEqual([]);
    expect(setup).toMatch(/^npm run -s herald -- setup-demo/);
    expect(exportKey).toMatch(/^export HERALD_API_KEY=hk_\.\.\./);
    expect(send).toMatch(/^curl .*\/api\/v1\/notifications\/add_error/);
    expect(signIn).toMatch(/^export HERALD_TOKEN=.*\/dev\/sign-in/);
    expect(list).toMatch(/^curl .*\/api\/v1\/me\/notifications/);

    const created = JSON.parse(await sh(setup!)) as { apiKey: string };
    expect(created.apiKey).toMatch(/^hk_/);
    env['HERALD_API_KEY'] = created.apiKey;
    const sent = JSON.parse(await sh(send!)) as { id: string };
    expect(sent.id).toEqual(expect.any(String));

    const page = await eventually(async () => {
      const listed = JSON.parse(await sh(`${signIn}\n${list}`)) as {
        items: { id: string; content: { text: string } }[];
      };
      expect(listed.items).toHaveLength(1);
      return listed;
    });
    expect(page.items[0]?.id).toBe(sent.id);
    expect(page.items[0]?.content.text).toBe('Failed to set the task! Contact not found!');
  });
});
