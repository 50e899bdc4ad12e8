import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ensureStreams, Relay } from '#messaging';
import { createLogger } from '#observability';
import { loadConfig, relayDatabaseUrl } from './config.js';

// The people service's relay as a process of its own, for deployments whose API replicas run with
// PEOPLE_RELAY=false: request load and the API's GC pauses then never delay publishing. Several may
// run; one is active (the advisory lock), the others wait in standby. Started with OpenTelemetry
// like the app: `node --import …/register.js dist/apps/people/src/relay.js`.
const config = loadConfig(process.env);
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
logger.info('people relay started');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void (async () => {
      await relay.stop();
      await nats.drain();
      logger.info('people relay stopped');
      process.exit(0);
    })();
  });
}
