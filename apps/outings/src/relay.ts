// By file, not the whole lib: the relay process loads neither Nest's modules nor MikroORM.
import { runRelayProcess } from '#messaging/relay-process';
import { loadConfig, relayDatabaseUrl } from './config.js';

// The outings service's relay as a process of its own, for deployments whose API replicas run with
// OUTINGS_RELAY=false (docs/adr/0011).
const config = loadConfig();
await runRelayProcess({
  service: 'outings',
  databaseUrl: relayDatabaseUrl(config),
  nats: config.nats,
  port: config.port,
  host: config.host,
  logLevel: config.logLevel,
});
