import { z } from 'zod';
import { parseEnvironment, serviceConfigOf, serviceEnvironment, type ServiceConfig } from '#config';
import { urlFor } from '#persistence/provisioning';

// The only place the outings app reads its environment (style.md rule 16).
const environment = z.object({
  ...serviceEnvironment(3002),
  /**
   * Run the event log's relay in this process. Off for API replicas when the relay runs as a process
   * of its own (`node dist/apps/outings/src/relay.js`): publishing latency then owes nothing to request load.
   */
  OUTINGS_RELAY: z.stringbool().default(true),
});

export type OutingsConfig = ServiceConfig & { relay: boolean };

// The database is `street_outings` in every deployment (deploy/postgres), its roles named after it.
export const appRole = 'street_outings_app';
export const relayRole = 'street_outings_relay';

export function loadConfig(env: Record<string, string | undefined> = process.env): OutingsConfig {
  const e = parseEnvironment('outings', environment, env);
  return { ...serviceConfigOf(e), relay: e.OUTINGS_RELAY };
}

/** The relay's own role: reads the whole log across tenants and moves its cursor, nothing else. */
export function relayDatabaseUrl(config: OutingsConfig): string {
  return urlFor(config.database.ownerUrl, { name: relayRole, password: config.database.relayPassword });
}
