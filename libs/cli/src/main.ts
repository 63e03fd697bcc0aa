#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { commands, UsageError } from './commands.js';
import { loadCliConfig } from './config.js';

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
  const { values } = parseArgs({ args: rest, strict: false, allowPositionals: false });
  try {
    const result = await command.run(loadCliConfig(), values);
    console.log(JSON.stringify(result, null, 2));
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
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
