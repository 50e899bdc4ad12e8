// By file, not the whole lib: the relay process loads neither Nest's modules nor MikroORM.
import { runRelayProcess } from '#messaging/relay-process';
import { loadConfig, relayDatabaseUrl } from './config.js';

// The people service's relay as a process of its own, for deployments whose API replicas run with
// PEOPLE_RELAY=false (docs/adr/0011). No master key: the relay never opens sealed data.
const config = loadConfig(undefined, { masterKey: false });
await runRelayProcess({
  service: 'people',
  databaseUrl: relayDatabaseUrl(config),
  nats: config.nats,
  port: config.port,
  host: config.host,
  logLevel: config.logLevel,
});
