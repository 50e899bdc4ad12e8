import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { appNodeFlags, eventually, freePort } from '#testing';

// dist/scripts/bench → the repository root.
const repository = resolve(import.meta.dirname, '../../..');

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
 * The people app as a real process, with the command line of startAppProcess (#testing):
 * OpenTelemetry registered with --import, configuration from the environment. Not startAppProcess
 * itself: it finds the repository root three levels above its own file, which is dist/ once
 * compiled, so from built code it starts dist/dist/... and fails. This also gives us the pid.
 */
export async function startPeopleProcess(
  root: string,
  env: Record<string, string>,
  /** The app (`main`), or its relay as a process of its own (`relay`), ready when `ready` says so. */
  entry: { file: 'main' | 'relay'; ready?: () => Promise<boolean> } = { file: 'main' },
) {
  const port = await freePort();
  let output = '';
  const child = spawn(
    process.execPath,
    [
      ...appNodeFlags,
      // e.g. BENCH_APP_FLAGS=--trace-gc: the app's output is saved next to the results.
      ...(process.env.BENCH_APP_FLAGS?.split(' ').filter(Boolean) ?? []),
      '--import',
      resolve(root, 'dist/libs/observability/src/register.js'),
      resolve(root, `dist/apps/people/src/${entry.file}.js`),
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
      if (child.exitCode !== null) throw new Error(`people ${entry.file} exited with ${child.exitCode}`);
      if (entry.ready) {
        if (!(await entry.ready())) throw new Error(`people ${entry.file} not ready`);
        return;
      }
      const response = await fetch(`${url}/people/health/ready`);
      if (response.status !== 200) throw new Error(`people not ready: ${response.status}`);
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  ).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n--- people output ---\n${output}`);
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
