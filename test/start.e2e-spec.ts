import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { dropDatabase, eventually, fetchToken, freePort, reachable, uniqueName } from '#testing';

type Index = {
  services: Array<{ name: string; url: string; docs: string; upstream: string }>;
  identity: { issuer: string; token: string; upstream: string };
};

// `npm start` as a user runs it (the built launcher, as a process), on the servers the test run
// resolved (DATABASE_URL / NATS_URL from the global setup), under its own instance name so its
// database and streams are not the developer's.
describe('npm start', () => {
  const root = resolve(import.meta.dirname, '..');
  const instance = uniqueName();
  let launcher: ChildProcess;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let output = '';
  let entry: string;
  let index: Index;

  beforeAll(async () => {
    const port = await freePort();
    entry = `http://localhost:${port}`;
    launcher = spawn(process.execPath, [resolve(root, 'dist/scripts/start.js')], {
      env: { ...process.env, PORT: String(port), ACCANTO_INSTANCE: instance, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((done) => launcher.once('exit', (code, signal) => done({ code, signal })));
    launcher.stdout!.on('data', (chunk) => (output += chunk));
    launcher.stderr!.on('data', (chunk) => (output += chunk));
    await eventually(
      () => {
        if (launcher.exitCode !== null) throw new Error(`launcher exited early:\n${output}`);
        expect(output).toContain(`Accanto is up on ${entry}`);
      },
      { timeoutMs: 90_000, intervalMs: 100 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- launcher output ---\n${output}`);
    });
    index = (await (await fetch(`${entry}/`)).json()) as Index;
  });

  afterAll(async () => {
    // A failed test may leave it running: SIGTERM still stops its children (SIGKILL would orphan them).
    if (launcher?.exitCode === null && launcher.signalCode === null) {
      launcher.kill('SIGTERM');
      await exited;
    }
    for (const database of ['accanto_people', 'accanto_street_outings']) {
      const server = new URL(process.env.DATABASE_URL!);
      server.pathname = `/${database}_${instance}`;
      await dropDatabase(process.env.DATABASE_URL!, server.toString());
    }
  });

  it('prints the entry URL, the docs, the demo users and a token command', () => {
    expect(output).toContain(`${entry}/people/docs`);
    expect(output).toContain(`${entry}/people/openapi.json`);
    expect(output).toContain(`${entry}/realms/accanto/.well-known/openid-configuration`);
    expect(output).toMatch(/password accanto-dev/);
    expect(output).toMatch(/operator, coordinator +cri-milano, /);
    expect(output).toContain(`curl -s ${entry}/realms/accanto/protocol/openid-connect/token`);
  });

  it('routes by prefix: the index, the identity provider under /realms, the people app under /people', async () => {
    expect(index.services.map((service) => service.name)).toEqual(['people', 'outings']);
    expect(index.identity.issuer).toBe(`${entry}/realms/accanto`);
    expect((await fetch(`${entry}/people/docs`)).status).toBe(200);
    expect((await fetch(`${entry}/outings/health/ready`)).status).toBe(200);

    const token = await fetchToken(
      { tokenEndpoint: `${entry}/realms/accanto/protocol/openid-connect/token` },
      'cri-milano.operator',
    );
    const authorization = `Bearer ${token}`;
    const registered = await fetch(`${entry}/people/persons`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({
        givenName: 'Mirela',
        familyName: 'Popescu',
        nameQuality: 'full',
        birthDateQuality: 'unknown',
        estimatedAge: 44,
      }),
    });
    expect(registered.status).toBe(201);
    const { id } = (await registered.json()) as { id: string };

    const read = await fetch(`${entry}/people/persons/${id}`, { headers: { authorization } });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id, givenName: 'Mirela', familyName: 'Popescu' });
  });

  it('SIGINT stops everything it started and exits 0', async () => {
    const ports = [entry, index.identity.upstream, ...index.services.map((service) => service.upstream)].map(
      (url) => Number(new URL(url).port),
    );
    launcher.kill('SIGINT');
    expect(await exited).toEqual({ code: 0, signal: null });
    // Reverse order of starting; PostgreSQL and NATS were the test run's, so not its to stop.
    expect(output).toMatch(/Stopped gateway, outings, people, identity\.\n$/);
    for (const port of ports) expect(await reachable('127.0.0.1', port)).toBe(false);
  });
});
