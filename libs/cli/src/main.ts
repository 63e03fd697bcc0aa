#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { commands, UsageError } from './commands.js';
import { loadCliConfig } from './config.js';

const text = { type: 'string' } as const;

/** Every option of every command; each command reads the ones it needs. */
const options = {
  account: text,
  user: text,
  email: text,
  provider: text,
  key: text,
  text,
  header: text,
  link: text,
  date: text,
  recipients: text,
  'idempotency-key': text,
  from: text,
  to: text,
  duration: text,
  icon: text,
  order: text,
  'page-size': text,
  cursor: text,
  ids: text,
  all: { type: 'boolean' },
} as const;

function usage(): string {
  return ['usage: herald <command> [options]', '', ...Object.values(commands).map((c) => `  ${c.usage}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(usage());
    return 2;
  }
  try {
    const { values } = parseArgs({ args: rest, options, strict: true, allowPositionals: false });
    const result = await command.run(loadCliConfig(), values);
    console.log(JSON.stringify(result, null, 2));
    return 0;
  } catch (err) {
    const badArguments = err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (err instanceof UsageError || badArguments) {
      console.error(`herald ${name}: ${err.message}\n  ${command.usage}`);
      return 2;
    }
    const details = (err as { details?: string }).details;
    console.error(`herald ${name}: ${details ?? (err instanceof Error ? err.message : String(err))}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
