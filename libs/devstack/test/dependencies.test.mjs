// @ts-check
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { dependencyRules } from '../../../eslint.config.js';

/**
 * A workspace laid out like this one: `@herald/*` resolved through tsconfig
 * paths to libs/<name>/src (as the repository's lint resolves them), npm
 * packages in node_modules.
 * @param {string} root
 */
function workspace(root) {
  /** @type {Record<string, string>} */
  const files = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@herald/*': ['./libs/*/src/index.ts'] } } }),
    'libs/bus/src/index.ts': 'export class Bus {}\n',
    'libs/testing/src/index.ts': 'export function isolatedBus() {}\n',
    'node_modules/zod/package.json': JSON.stringify({ name: 'zod', main: 'index.js' }),
    'node_modules/zod/index.js': 'export const z = {};\n',
    'node_modules/pg/package.json': JSON.stringify({ name: 'pg', main: 'index.js', types: 'index.d.ts' }),
    'node_modules/pg/index.js': 'export class Pool {}\n',
    'node_modules/pg/index.d.ts': 'export declare class Pool {}\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/**
 * Lints a service package made of `files`, declared by `manifest`, with the
 * repository's dependency rules; resolves to each message as `file: text`.
 * @param {object} manifest
 * @param {Record<string, string>} files
 */
async function lintPackage(manifest, files) {
  const root = mkdtempSync(join(tmpdir(), 'herald-deps-'));
  try {
    workspace(root);
    const dir = join(root, 'services', 'demo');
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@herald/demo', ...manifest }));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'src', name), text);
    const eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ['**/*.ts'],
          languageOptions: { parser: tseslint.parser },
          plugins: { 'import-x': importX },
          settings: {
            'import-x/resolver-next': [createTypeScriptImportResolver({ project: join(root, 'tsconfig.json') })],
          },
        },
        ...dependencyRules,
      ],
    });
    const results = await eslint.lintFiles(['services/demo/src/*.ts']);
    return results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(dir.length + 1)}: ${m.message}`));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const sources = {
  'service.ts': `import { Bus } from '@herald/bus';\nimport { z } from 'zod';\nexport const parts = [Bus, z];\n`,
  'types.ts': `import type { Pool } from 'pg';\nexport type Db = Pool;\n`,
  'service.test.ts': `import { isolatedBus } from '@herald/testing';\nexport const helper = isolatedBus;\n`,
};

describe('the dependency rule', () => {
  it('fails when src/ imports a package that is only a devDependency', async () => {
    const messages = await lintPackage(
      {
        dependencies: { zod: '^4' },
        devDependencies: { '@herald/bus': 'workspace:*', '@herald/testing': 'workspace:*' },
      },
      sources,
    );
    assert.deepEqual(messages, [
      "src/service.ts: '@herald/bus' should be listed in the project's dependencies, not devDependencies.",
    ]);
  });

  it('fails when src/ imports a package the manifest does not list at all', async () => {
    const messages = await lintPackage({ dependencies: { '@herald/bus': 'workspace:*' } }, sources);
    assert.equal(messages.length, 1);
    assert.match(messages[0], /^src\/service.ts: 'zod' should be listed in the project's dependencies/);
  });

  it('passes when every runtime import is a dependency; type-only imports and specs may use devDependencies', async () => {
    const messages = await lintPackage(
      {
        dependencies: { '@herald/bus': 'workspace:*', zod: '^4' },
        devDependencies: { '@herald/testing': 'workspace:*', pg: '^8' },
      },
      sources,
    );
    assert.deepEqual(messages, []);
  });
});
