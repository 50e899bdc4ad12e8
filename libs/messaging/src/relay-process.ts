import { createServer } from 'node:http';
import { jetstreamManager } from '@nats-io/jetstream';
import { createLogger, type LogLevel } from '#observability/logger';
import { Relay, type RelayHealth } from './relay.js';
import { connectNats, ensureStreams } from './streams.js';

export type RelayProcessOptions = {
  /** `people`, `outings`: names the NATS connection, the logger and the health routes (`/<service>-relay/health/*`). */
  service: string;
  /** Connection URL of the service's relay role, never its owner: the process publishes envelopes, nothing else. */
  databaseUrl: string;
  nats: { url: string; namespace?: string; replicas: number };
  port: number;
  host: string;
  logLevel: string;
};

/** A relay that keeps failing to publish this many times in a row is reported not ready, so it is restarted. */
const failuresBeforeNotReady = 5;

/**
 * What the health server answers for a path: live while the event loop answers; ready while the
 * relay is active or in standby and NATS is connected.
 */
export function relayHealthResponse(
  service: string,
  path: string | undefined,
  { state, failures, lastError }: RelayHealth,
  natsClosed: boolean,
): [status: number, body: Record<string, unknown>] {
  const ready = state !== 'stopped' && failures < failuresBeforeNotReady && !natsClosed;
  if (path === `/${service}-relay/health/live`) return [200, { status: 'up' }];
  if (path === `/${service}-relay/health/ready`)
    return [ready ? 200 : 503, { status: ready ? 'up' : 'down', state, failures, lastError }];
  return [404, { type: 'about:blank', title: 'Not Found', status: 404 }];
}

/**
 * A service's relay as a process of its own (docs/adr/0011), for deployments whose API replicas run
 * with `runRelay: false`: request load and the API's GC pauses then never delay publishing. Several
 * may run; one is active (the advisory lock), the others wait in standby. The app's `relay.ts` calls
 * this, started with OpenTelemetry like the app: `node --import …/register.js dist/apps/<app>/src/relay.js`.
 * Runs until SIGTERM or SIGINT, then stops the relay, drains NATS and exits.
 */
export async function runRelayProcess(options: RelayProcessOptions): Promise<void> {
  const name = `${options.service}-relay`;
  const logger = createLogger(name, options.logLevel as LogLevel);
  const nats = await connectNats(options.nats.url, name);
  const namespace = options.nats.namespace || undefined;
  await ensureStreams(await jetstreamManager(nats), namespace, { replicas: options.nats.replicas });
  const relay = new Relay({
    databaseUrl: options.databaseUrl,
    nats,
    namespace,
    logger: {
      log: (message) => logger.info(message),
      warn: (message) => logger.warn(message),
      error: (message) => logger.error(message),
    },
  });
  relay.start();

  // Probes for the orchestrator (a relay that keeps failing to publish is taken out and restarted).
  const health = createServer((request, response) => {
    const [status, body] = relayHealthResponse(
      options.service,
      request.url?.split('?')[0],
      relay.health(),
      nats.isClosed(),
    );
    response.writeHead(status, {
      'content-type': status === 200 ? 'application/json' : 'application/problem+json',
    });
    response.end(JSON.stringify(body));
  });
  health.listen(options.port, options.host);
  logger.info(`${options.service} relay started`);

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void (async () => {
        health.close();
        await relay.stop();
        await nats.drain();
        logger.info(`${options.service} relay stopped`);
        process.exit(0);
      })();
    });
  }
}
