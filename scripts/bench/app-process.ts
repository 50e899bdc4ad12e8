import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { appNodeFlags, eventually, freePort } from '#testing';

// dist/scripts/bench → the repository root.
const repository = resolve(import.meta.dirname, '../../..');

// The apps run on the Node that runs the bench. On another major its GC and memory differ (three runs
// on Node 20 once stood in the README as Node 24's figures): refuse rather than measure the wrong one.
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24)
  throw new Error(
    `the bench measures the apps on Node 24, not ${process.version}: source scripts/use-node24.sh`,
  );

/**
 * A private copy of the build this run started with. Others build into the shared dist/ while a
 * run lasts (every e2e run does), and the app starts a minute into the run: without the copy it
 * could run code other than what was built and recorded.
 */
export function snapshotBuild(): { root: string; remove: () => void } {
  const root = mkdtempSync(resolve(tmpdir(), 'accanto-bench-'));
  cpSync(resolve(repository, 'dist'), resolve(root, 'dist'), { recursive: true });
  cpSync(resolve(repository, 'package.json'), resolve(root, 'package.json')); // its "imports" map
  symlinkSync(resolve(repository, 'node_modules'), resolve(root, 'node_modules'));
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * An app (people, outings) as a real process, with the command line of startAppProcess (#testing):
 * OpenTelemetry registered with --import, configuration from the environment. Not startAppProcess
 * itself: it finds the repository root three levels above its own file, which is dist/ once
 * compiled, so from built code it starts dist/dist/... and fails. This also gives us the pid.
 */
export async function startAppProcess(
  root: string,
  env: Record<string, string>,
  /**
   * The app and its HTTP prefix; `file`: its `main`, or another entry (people's `relay`), ready
   * when `ready` says so rather than on /health/ready.
   */
  entry: {
    app?: string;
    prefix?: string;
    file?: string;
    ready?: () => Promise<boolean>;
    /** Node flags after appNodeFlags (before BENCH_APP_FLAGS). */
    flags?: string[];
  } = {},
) {
  const { app = 'people', prefix = app, file = 'main', flags = [] } = entry;
  const port = await freePort();
  let output = '';
  const child = spawn(
    process.execPath,
    [
      ...appNodeFlags,
      ...flags,
      // e.g. BENCH_APP_FLAGS=--trace-gc: the app's output is saved next to the results.
      ...(process.env.BENCH_APP_FLAGS?.split(' ').filter(Boolean) ?? []),
      '--import',
      resolve(root, 'dist/libs/observability/src/register.js'),
      resolve(root, `dist/apps/${app}/src/${file}.js`),
    ],
    {
      env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`${app} ${file} exited with ${child.exitCode}`);
      if (entry.ready) {
        if (!(await entry.ready())) throw new Error(`${app} ${file} not ready`);
        return;
      }
      const response = await fetch(`${url}/${prefix}/health/ready`);
      if (response.status !== 200) throw new Error(`${app} not ready: ${response.status}`);
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  ).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n--- ${app} output ---\n${output}`);
  });
  return {
    url,
    pid: child.pid!,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
