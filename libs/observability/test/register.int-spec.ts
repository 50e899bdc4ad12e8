import { execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, uniqueName } from '#testing';

// register.ts runs the way production runs it: compiled by the project's swc settings, loaded with
// `node --import` before an ESM Nest app in its own process, exporting OTLP/HTTP to a collector
// stand-in that records what arrives.

const root = resolve(import.meta.dirname, '../../..');
const out = resolve(root, '.data', uniqueName('observability-'));
const registerEntry = resolve(out, 'libs/observability/src/register.js');
const fixture = resolve(out, 'libs/observability/test/fixtures/traced-app.fixture.js');

type ExportedSpan = {
  name: string;
  /** 2 is SERVER, 3 CLIENT (OTLP's SpanKind). */
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  service: string;
  attributes: Record<string, unknown>;
};

/** One data point of an exported metric, with its resource's service name. */
type ExportedPoint = { metric: string; service: string; attributes: Record<string, unknown> };

type OtlpValue = { stringValue?: string; intValue?: number | string; boolValue?: boolean };
type OtlpAttribute = { key: string; value: OtlpValue };
type OtlpExport = {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: {
      spans: (Omit<ExportedSpan, 'attributes' | 'service'> & { attributes: OtlpAttribute[] })[];
    }[];
  }[];
};

type OtlpPoints = { dataPoints: { attributes?: OtlpAttribute[] }[] };
type OtlpMetricExport = {
  resourceMetrics: {
    resource: { attributes: OtlpAttribute[] };
    scopeMetrics: {
      metrics: ({ name: string } & Partial<Record<'sum' | 'gauge' | 'histogram', OtlpPoints>>)[];
    }[];
  }[];
};

function attributesOf(list: OtlpAttribute[]): Record<string, unknown> {
  return Object.fromEntries(
    list.map(({ key, value }) => [key, value.stringValue ?? value.intValue ?? value.boolValue]),
  );
}

// The OpenTelemetry collector's OTLP/HTTP receiver, reduced to remembering what it was sent.
async function startCollector(): Promise<{
  url: string;
  bodies: string[];
  metricBodies: string[];
  spans: () => ExportedSpan[];
  points: () => ExportedPoint[];
  server: Server;
}> {
  const bodies: string[] = [];
  const metricBodies: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') bodies.push(body);
      if (request.url === '/v1/metrics') metricBodies.push(body);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const spans = () =>
    bodies.flatMap((body) =>
      (JSON.parse(body) as OtlpExport).resourceSpans.flatMap(({ resource, scopeSpans }) =>
        scopeSpans.flatMap(({ spans: list }) =>
          list.map((span) => ({
            ...span,
            service: String(attributesOf(resource.attributes)['service.name']),
            attributes: attributesOf(span.attributes),
          })),
        ),
      ),
    );
  const points = () =>
    metricBodies.flatMap((body) =>
      (JSON.parse(body) as OtlpMetricExport).resourceMetrics.flatMap(({ resource, scopeMetrics }) =>
        scopeMetrics.flatMap(({ metrics }) =>
          metrics.flatMap((metric) =>
            (metric.sum ?? metric.gauge ?? metric.histogram)!.dataPoints.map((point) => ({
              metric: metric.name,
              service: String(attributesOf(resource.attributes)['service.name']),
              attributes: attributesOf(point.attributes ?? []),
            })),
          ),
        ),
      ),
    );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    metricBodies,
    spans,
    points,
    server,
  };
}

type Run = {
  stdout: string;
  report: { recording: boolean; metering: boolean; sigtermListeners: number };
  signal: string | null;
};

// Starts the fixture, waits for its report (and `until`, if given), sends SIGTERM (as an orchestrator
// does) and waits for the exit.
async function runFixture(env: Record<string, string>, until?: () => void): Promise<Run> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')),
  );
  const child = spawn(
    process.execPath,
    ['--import', registerEntry, fixture, process.env.DATABASE_URL ?? ''],
    {
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<string | null>((done) => child.once('exit', (_code, signal) => done(signal)));
  const report = await eventually(
    () => {
      if (child.exitCode !== null) throw new Error(`fixture exited early:\n${stdout}\n${stderr}`);
      const line = stdout.split('\n').find((candidate) => candidate.includes('"report":true'));
      if (!line) throw new Error(`no report yet:\n${stdout}\n${stderr}`);
      return JSON.parse(line) as Run['report'];
    },
    { timeoutMs: 30_000 },
  );
  if (until) await eventually(until, { timeoutMs: 30_000 });
  child.kill('SIGTERM');
  return { stdout, report, signal: await exited };
}

beforeAll(async () => {
  await promisify(execFile)(
    process.execPath,
    [
      'node_modules/@swc/cli/bin/swc.js',
      'libs/observability/src',
      'libs/observability/test/fixtures',
      '-d',
      out,
      '-q',
    ],
    { cwd: root },
  );
}, 60_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('register (node --import, before the app)', () => {
  it('exports request spans named by route and nested down to the SQL query, without query values, flushed on SIGTERM', async () => {
    const collector = await startCollector();
    try {
      const run = await runFixture({
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_SERVICE_NAME: 'people-fixture',
      });
      const spans = collector.spans();
      const named = (name: string) => spans.find((span) => span.name === name);

      const client = spans.find((span) => span.attributes['url.full'] !== undefined);
      const server = named('GET /people/persons');
      const handler = named('PersonsController.search');
      const query = spans.find((span) => span.attributes['db.query.text'] === 'SELECT 1 AS one');
      expect(server?.attributes['http.route']).toBe('/people/persons');
      // One trace across the fetch (undici), the HTTP server, the handler and PostgreSQL (ESM-imported pg).
      expect(server?.parentSpanId).toBe(client?.spanId);
      expect(handler?.parentSpanId).toBe(server?.spanId);
      expect(query?.parentSpanId).toBe(handler?.spanId);
      expect(new Set([client, server, handler, query].map((span) => span?.traceId)).size).toBe(1);
      expect(spans.every((span) => span.service === 'people-fixture')).toBe(true);

      expect(server?.attributes['url.query']).toBe('q=REDACTED&limit=REDACTED');
      expect(client?.attributes['url.full']).toMatch(/\/people\/persons\?q=REDACTED&limit=REDACTED$/);
      expect([...collector.bodies, ...collector.metricBodies].join('')).not.toMatch(/Mario|Rossi/);
      // Probes are not traced on the serving side (the fixture's own fetch of the probe is).
      const probeRequests = spans.filter((span) => String(span.attributes['url.path']).includes('/health/'));
      expect(probeRequests.map((span) => span.kind)).toEqual([3]);
      // Ended just before SIGTERM, well inside the 5 s batch delay: only the shutdown flush sends it.
      expect(named('probe')).toBeDefined();
      expect(run.signal).toBe('SIGTERM');

      const requestLog = run.stdout
        .split('\n')
        .filter((line) => line.startsWith('{"level"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line.route === '/people/persons');
      expect(requestLog).toMatchObject({
        method: 'GET',
        status: 200,
        trace_id: server?.traceId,
        span_id: server?.spanId,
      });
      expect(run.stdout).not.toMatch(/Mario|Rossi/);
    } finally {
      collector.server.close();
    }
  });

  it('exports request metrics by route pattern, without paths, query strings or SQL, flushed on SIGTERM', async () => {
    const collector = await startCollector();
    try {
      const run = await runFixture({
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_SERVICE_NAME: 'people-fixture',
      });
      expect(run.report.metering).toBe(true);
      const points = collector.points();
      // One request served (the probe is not measured), named by its route pattern only.
      expect(
        points
          .filter((point) => point.metric === 'http.server.request.duration')
          .map((point) => point.attributes),
      ).toEqual([
        {
          'http.request.method': 'GET',
          'url.scheme': 'http',
          'network.protocol.version': '1.1',
          'http.route': '/people/persons',
          'http.response.status_code': 200,
        },
      ]);
      expect(points.map((point) => point.metric)).toEqual(
        expect.arrayContaining(['http.client.request.duration', 'db.client.operation.duration']),
      );
      const keys = new Set(points.flatMap((point) => Object.keys(point.attributes)));
      for (const key of ['url.full', 'url.path', 'url.query', 'db.query.text'])
        expect(keys).not.toContain(key);
      expect(points.every((point) => point.service === 'people-fixture')).toBe(true);
    } finally {
      collector.server.close();
    }
  });

  it('exports metrics every OTEL_METRIC_EXPORT_INTERVAL, not only at shutdown; none with OTEL_METRICS_EXPORTER=none', async () => {
    const collector = await startCollector();
    try {
      await runFixture(
        { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_METRIC_EXPORT_INTERVAL: '100' },
        () => expect(collector.metricBodies.length).toBeGreaterThan(0),
      );
      collector.metricBodies.length = 0;
      const run = await runFixture({
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_METRICS_EXPORTER: 'none',
      });
      expect(run.report).toMatchObject({ recording: true, metering: false });
      expect(collector.metricBodies).toEqual([]);
    } finally {
      collector.server.close();
    }
  });

  it("waits for Nest's shutdown hooks, so spans made while the app closes are exported too", async () => {
    const collector = await startCollector();
    try {
      const run = await runFixture({
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        FIXTURE_NEST_SHUTDOWN_HOOKS: '1',
      });
      expect(run.report.sigtermListeners).toBe(2);
      expect(collector.spans().map((span) => span.name)).toContain('app.shutdown');
      expect(run.signal).toBe('SIGTERM');
    } finally {
      collector.server.close();
    }
  });

  it('without OTEL_EXPORTER_OTLP_ENDPOINT records spans in-process, so logs still carry trace ids', async () => {
    const run = await runFixture({});
    // Nothing to export metrics to: no meter provider, every instrument a no-op.
    expect(run.report).toMatchObject({ recording: true, metering: false });
    expect(run.stdout).toMatch(
      /"route":"\/people\/persons".*"trace_id":"[0-9a-f]{32}"|"trace_id":"[0-9a-f]{32}".*"route":"\/people\/persons"/,
    );
    expect(run.signal).toBe('SIGTERM');
  });

  it('does nothing at all when OTEL_SDK_DISABLED=true', async () => {
    const collector = await startCollector();
    try {
      const run = await runFixture({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
      expect(run.report).toMatchObject({ recording: false, metering: false, sigtermListeners: 0 });
      expect(run.stdout).not.toContain('trace_id');
      expect([...collector.bodies, ...collector.metricBodies]).toEqual([]);
      expect(run.signal).toBe('SIGTERM');
    } finally {
      collector.server.close();
    }
  });
});
