import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { eventually } from './eventually.js';

// The repository root, from the source (libs/testing/src) or from the build (dist/libs/testing/src).
const root = resolve(
  import.meta.dirname,
  import.meta.dirname.includes('/dist/') ? '../../../..' : '../../..',
);

/**
 * V8 sizes its heap for the machine (24 GiB here) and grows the young generation to 128 MB under load;
 * an app's live heap stays near 60 MB (bench/README.md). These bounds keep an app under 250 MB resident.
 *
 * One V8 worker thread instead of Node's default four: the garbage collector's parallel and
 * concurrent phases otherwise run four helpers per process, and on a pod of two cores shared with
 * other processes they take both cores for the 50–100 ms of each major GC. Every request in flight
 * (and PostgreSQL's commits) then waits: at half the maximum rate p99 fell from 43–53 ms to 18–26 ms,
 * same memory (bench/README.md, "2026-12-04 (afternoon)").
 *
 * The launcher, the benchmark and the Dockerfile start apps with the same flags.
 */
export const appNodeFlags = ['--max-semi-space-size=8', '--max-old-space-size=128', '--v8-pool-size=1'];

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Runs a built app (`npm run build`) as its own process, exactly as in production: OpenTelemetry
 * registered before the app, configuration from the environment. Resolves once it is ready.
 */
export async function startAppProcess(
  app: string,
  prefix: string,
  env: Record<string, string>,
  /** Another entry of the app (e.g. its `relay`), ready when `ready` resolves instead of on /health/ready. */
  entry: { file: string; ready: () => Promise<void> } | null = null,
): Promise<{ url: string; output: () => string; stop: () => Promise<number | null> }> {
  const port = await freePort();
  let output = '';
  const child = spawn(
    process.execPath,
    [
      ...appNodeFlags,
      '--import',
      resolve(root, 'dist/libs/observability/src/register.js'),
      resolve(root, `dist/apps/${app}/src/${entry?.file ?? 'main'}.js`),
    ],
    {
      env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}:\n${output}`);
      if (entry) return entry.ready();
      const response = await fetch(`${url}/${prefix}/health/ready`);
      if (response.status !== 200)
        throw new Error(`${app} not ready: ${response.status} ${await response.text()}`);
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  ).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n--- ${app} output ---\n${output}`);
  });
  return {
    url,
    output: () => output,
    /** SIGTERM, then the exit code (null when a signal ended it). */
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      return child.exitCode;
    },
  };
}
