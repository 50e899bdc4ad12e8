import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { eventually, freePort } from '#testing';

// dist/scripts/bench → the repository root.
const root = resolve(import.meta.dirname, '../../..');

/**
 * The people app as a real process, with the command line of startAppProcess (#testing):
 * OpenTelemetry registered with --import, configuration from the environment. Not startAppProcess
 * itself: it finds the repository root three levels above its own file, which is dist/ once
 * compiled, so from built code it starts dist/dist/... and fails. This also gives us the pid.
 */
export async function startPeopleProcess(env: Record<string, string>) {
  const port = await freePort();
  let output = '';
  const child = spawn(
    process.execPath,
    [
      '--import',
      resolve(root, 'dist/libs/observability/src/register.js'),
      resolve(root, 'dist/apps/people/src/main.js'),
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
      if (child.exitCode !== null) throw new Error(`people exited with ${child.exitCode}`);
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
