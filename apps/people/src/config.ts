import { z } from 'zod';
import { parseEnvironment, serviceConfigOf, serviceEnvironment, type ServiceConfig } from '#config';
import { urlFor } from '#persistence/provisioning';
import { developmentMasterKey } from './vault/person-vault.js';

// The only place the people app reads its environment (style.md rule 16).
const environment = z.object({
  ...serviceEnvironment(3001),
  /**
   * Run the matcher (candidates found on registration) in this process. Off for API replicas when
   * the matcher runs in replicas of its own, so matching never takes CPU from requests.
   */
  PEOPLE_MATCHER: z.stringbool().default(true),
  /**
   * Run the event log's relay in this process. Off for API replicas when the relay runs as a process
   * of its own (`node dist/apps/people/src/relay.js`): publishing latency then owes nothing to request load.
   */
  PEOPLE_RELAY: z.stringbool().default(true),
  /**
   * Wraps every person's data key (docs/adr/0009): 32 random bytes, base64, from the secret store.
   * Losing it loses every person's data. Development falls back to a published key; production refuses it.
   */
  PEOPLE_MASTER_KEY: z.base64().optional(),
});

export type PeopleConfig = ServiceConfig & { matcher: boolean; relay: boolean; masterKey: string };

export const appRole = 'people_app';
export const relayRole = 'people_relay';

/** `masterKey: false` for processes that never open sealed data (the relay): they get no key. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  { masterKey = true }: { masterKey?: boolean } = {},
): PeopleConfig {
  const e = parseEnvironment('people', environment, env);
  const production = e.NODE_ENV === 'production';
  if (masterKey && production && (!e.PEOPLE_MASTER_KEY || e.PEOPLE_MASTER_KEY === developmentMasterKey))
    throw new Error('people: PEOPLE_MASTER_KEY must be set to a secret key in production');
  return {
    ...serviceConfigOf(e),
    matcher: e.PEOPLE_MATCHER,
    relay: e.PEOPLE_RELAY,
    masterKey: e.PEOPLE_MASTER_KEY ?? developmentMasterKey,
  };
}

/** The relay's own role: reads the whole log across tenants and moves its cursor, nothing else. */
export function relayDatabaseUrl(config: PeopleConfig): string {
  return urlFor(config.database.ownerUrl, { name: relayRole, password: config.database.relayPassword });
}
