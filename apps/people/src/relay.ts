import { createServer } from 'node:http';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ensureStreams, Relay } from '#messaging';
import { createLogger } from '#observability';
import { loadConfig, relayDatabaseUrl } from './config.js';

// The people service's relay as a process of its own, for deployments whose API replicas run with
// PEOPLE_RELAY=false: request load and the API's GC pauses then never delay publishing. Several may
// run; one is active (the advisory lock), the others wait in standby. Started with OpenTelemetry
// like the app: `node --import …/register.js dist/apps/people/src/relay.js`.
const config = loadConfig(process.env, { masterKey: false });
const logger = createLogger('people-relay', config.logLevel as 'info');
const nats = await connect({
  servers: config.nats.url,
  name: 'people-relay',
  maxReconnectAttempts: -1,
  reconnectTimeWait: 1000,
});
const namespace = config.nats.namespace || undefined;
await ensureStreams(await jetstreamManager(nats), namespace, { replicas: config.nats.replicas });
const relay = new Relay({
  databaseUrl: relayDatabaseUrl(config),
  nats,
  namespace,
  logger: {
    log: (message) => logger.info(message),
    warn: (message) => logger.warn(message),
    error: (message) => logger.error(message),
  },
});
relay.start();

// Probes for the orchestrator: live while the event loop answers; ready while the relay is active or
// in standby and NATS is connected (a relay that keeps failing to publish is taken out and restarted).
const health = createServer((request, response) => {
  const path = request.url?.split('?')[0];
  const { state, failures, lastError } = relay.health();
  const ready = state !== 'stopped' && failures < 5 && !nats.isClosed();
  const [status, body] =
    path === '/people-relay/health/live'
      ? [200, { status: 'up' }]
      : path === '/people-relay/health/ready'
        ? [ready ? 200 : 503, { status: ready ? 'up' : 'down', state, failures, lastError }]
        : [404, { type: 'about:blank', title: 'Not Found', status: 404 }];
  response.writeHead(status, {
    'content-type': status === 200 ? 'application/json' : 'application/problem+json',
  });
  response.end(JSON.stringify(body));
});
health.listen(config.port, config.host);
logger.info('people relay started');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void (async () => {
      health.close();
      await relay.stop();
      await nats.drain();
      logger.info('people relay stopped');
      process.exit(0);
    })();
  });
}
