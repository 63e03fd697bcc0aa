import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@herald/testing';
import { startStack, type Stack } from './stack.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const run = promisify(execFile);

/** The README's `npm run -s herald -- …` commands, in order, with their continuation lines joined. */
function readmeCommands(): string[] {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks
    .map((block) => block.replace(/\\\n\s*/g, ''))
    .flatMap((block) => block.split('\n'))
    .filter((line) => line.startsWith('npm run -s herald -- '));
}

describe('the README', () => {
  let stack: Stack;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    stack = await startStack();
    env = {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      HERALD_INGEST_ADDR: `127.0.0.1:${stack.ingestService.port}`,
      HERALD_INTERFACE_ADDR: `127.0.0.1:${stack.interfaceService.port}`,
      HERALD_PREFERENCES_ADDR: `127.0.0.1:${stack.preferencesService.port}`,
    };
  });
  afterAll(() => stack.stop());

  const sh = async (command: string) => (await run('bash', ['-c', command], { cwd: root, env })).stdout;

  it('sends a first notification and reads it back with the commands it shows', async () => {
    const [setup, send, inbox, ...rest] = readmeCommands();
    expect(rest).toEqual([]);
    expect(setup).toContain('setup-demo');
    expect(send).toContain('add-error');
    expect(inbox).toContain('inbox');

    const created = JSON.parse(await sh(setup!)) as { apiKey: string; account: string; user: string };
    expect(created.apiKey).toMatch(/^hk_/);
    env['HERALD_API_KEY'] = created.apiKey;
    const sent = JSON.parse(await sh(send!)) as { id: string };

    const listed = await eventually(async () => {
      const page = JSON.parse(await sh(inbox!)) as {
        items: { notification: { id: string; error: { text: string } } }[];
      };
      expect(page.items).toHaveLength(1);
      return page;
    });
    expect(listed.items[0]?.notification.id).toBe(sent.id);
    expect(listed.items[0]?.notification.error.text).toBe('Failed to set the task! Contact not found!');
  });
});
