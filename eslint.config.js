// @ts-check
// Lint catches async bugs and import cycles, not taste: prettier settles layout.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * What ships is what a package's `dependencies` hold (`pnpm deploy --prod`
 * builds the production bundle from them): its src/ may import nothing else,
 * workspace packages included. Specs are not shipped, so they are left out.
 * Type-only imports are erased at build time, so they are left out.
 * @type {import('eslint').Linter.Config[]}
 */
export const dependencyRules = [
  {
    files: ['libs/*/src/**/*.ts', 'services/*/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'import-x/no-extraneous-dependencies': [
        'error',
        { devDependencies: false, optionalDependencies: false, peerDependencies: false, includeInternal: true },
      ],
    },
  },
];

export default tseslint.config(
  {
    // services/web/public: static files served as they are (the service worker has its own spec).
    ignores: ['**/dist/**', '**/node_modules/**', 'libs/contracts/src/gen/**', 'services/web/public/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  importX.flatConfigs.typescript,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.test.json' })] },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test runs what describe/it register; the promises they return are its to await.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` object and a string union.' },
        { selector: 'ExportAllDeclaration', message: 'Export by name: a package has one front door.' },
      ],
    },
  },
  {
    // Browser code: checked against the DOM by the tsconfig of its own package.
    files: ['services/web/src/**/*.ts', 'libs/sdk/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    languageOptions: {
      parserOptions: {
        project: ['./services/web/tsconfig.json', './libs/sdk/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    settings: {
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['./services/web/tsconfig.json', './libs/sdk/tsconfig.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
  },
  {
    // Plain Node scripts typed with JSDoc: tsc (checkJs) already refuses an undefined name.
    files: ['**/*.mjs', '**/*.js'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off', 'no-undef': 'off' },
  },
  ...dependencyRules,
);
