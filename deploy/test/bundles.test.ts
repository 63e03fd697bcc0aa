import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dropSchemas, eventually, exitOf, freePort, isolatedBus, repoRoot, testEnv, uniqueName } from '@herald/testing';
import { readServices } from '../../libs/devstack/lib/services.mjs';

const run = promisify(execFile);

/**
 * What ships is what is tested: each service's production bundle, built the
 * way deploy/Dockerfile builds it (`pnpm deploy --legacy --prod`, then
 * healthcheck.mjs beside it), must start on its own against this machine's
 * NATS and PostgreSQL and report healthy. A `src/` import that is only a
 * devDependency fails here with ERR_MODULE_NOT_FOUND.
 */
describe('production bundles', () => {
  const services = readServices(repoRoot);
  const out = mkdtempSync(join(tmpdir(), 'herald-bundles-'));
  const schemas: string[] = [];
  let namespace: string;
  let cleanup: () => Promise<void>;
  const bundleOf = (name: string) => join(out, name);

  beforeAll(async () => {
    ({ namespace, cleanup } = await isolatedBus('bundles-test'));
    // pnpm deploy mostly copies and links: the bundles build side by side.
    await Promise.all(
      services.map(async ({ name }) => {
        await run(
          'pnpm',
          ['--filter', `@herald/${name}`, 'deploy', '--legacy', '--prod', '--prefer-offline', bundleOf(name)],
          {
            cwd: repoRoot,
            maxBuffer: 16 * 1024 * 1024,
          },
        );
        copyFileSync(join(repoRoot, 'deploy', 'healthcheck.mjs'), join(bundleOf(name), 'healthcheck.mjs'));
      }),
    );
  }, 300_000);

  afterAll(async () => {
    await cleanup?.();
    await dropSchemas(...schemas);
    rmSync(out, { recursive: true, force: true });
  });

  it('finds the services', () => {
    expect(services.map((s) => s.name)).toEqual(expect.arrayContaining(['ingest', 'preferences', 'interface']));
  });

  it('gives the gateway the built web app it serves at / and /embed.js', () => {
    const web = join(bundleOf('gateway'), 'node_modules', '@herald', 'web', 'dist', 'public');
    for (const file of ['index.html', 'embed.js', 'demo.html']) {
      expect(existsSync(join(web, file))).toBe(true);
    }
  });

  it.each(services.map((s) => [s.name, s] as const))(
    '%s is named for the Dockerfile, starts from its bundle alone and reports healthy',
    async (name, service) => {
      const manifest = JSON.parse(readFileSync(join(repoRoot, 'services', name, 'package.json'), 'utf8')) as {
        name: string;
      };
      expect(manifest.name).toBe(`@herald/${name}`);

      const schema = uniqueName(`bundle_${name.replaceAll('-', '_')}_`);
      schemas.push(schema);
      // A service has a gRPC port, or else an HTTP one: healthcheck.mjs asks whichever is set.
      const port = String(await freePort());
      const ports = service.grpcPort === undefined ? { HTTP_PORT: port } : { GRPC_PORT: port };
      const env = {
        PATH: process.env['PATH'] ?? '',
        NODE_ENV: 'production',
        NATS_URL: testEnv.natsUrl,
        DATABASE_URL: testEnv.databaseUrl,
        HERALD_NAMESPACE: namespace,
        DB_SCHEMA: schema,
        GRPC_HOST: '127.0.0.1',
        ...ports,
        METRICS_PORT: String(await freePort()),
        ADMIN_TOKEN: uniqueName('admin'),
        // Outside dev mode the email service needs a relay to start; it connects only to send.
        SMTP_URL: 'smtp://127.0.0.1:2525',
        LOG_LEVEL: 'warn',
      };
      const child = spawn(process.execPath, ['dist/main.js'], {
        cwd: bundleOf(name),
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      // Fails at once when the process dies (a missing module, a bad config), not at the deadline.
      const died = exitOf(child).then(({ code, signal }) => {
        throw new Error(`${name} exited (${code ?? signal}) before it was healthy:\n${stderr}`);
      });
      // The container's own healthcheck, run from the bundle's folder as in the image.
      const healthy = eventually(
        () => run(process.execPath, ['healthcheck.mjs'], { cwd: bundleOf(name), env }),
        // Generous: a loaded CI machine may take long to start a service; this is no timing assertion.
        90_000,
        200,
      );
      try {
        await Promise.race([healthy, died]);
      } finally {
        died.catch(() => {});
        child.kill('SIGTERM');
        const { code } = await exitOf(child);
        expect({ name, code, stderr: code === 0 ? '' : stderr }).toEqual({ name, code: 0, stderr: '' });
      }
    },
    150_000,
  );
});
