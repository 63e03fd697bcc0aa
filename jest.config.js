// @ts-check
import { readdirSync } from 'node:fs';

/** Every folder under services/ is a package a spec may import by name. */
const services = readdirSync(new URL('./services/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** Native ESM (the @nats-io v3 clients are ES modules); swc strips the types, tsc -b checks them. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' }, sourceMaps: 'inline' },
    ],
  },
  moduleNameMapper: {
    [`^@herald/(${services.join('|')})$`]: '<rootDir>/services/$1/src/index.ts',
    '^@herald/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: [
    '<rootDir>/libs/*/src/**/*.test.ts',
    '<rootDir>/services/*/src/**/*.test.ts',
    '<rootDir>/services/*/test/**/*.test.ts',
    '<rootDir>/e2e/**/*.test.ts',
    '<rootDir>/deploy/test/**/*.test.ts',
  ],
  testTimeout: 60_000,
  maxWorkers: 2,
};
