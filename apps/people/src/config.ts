import { z } from 'zod';
import { urlFor } from '#persistence';
import { developmentMasterKey } from './vault/person-vault.js';

// The only place the people app reads its environment (style.md rule 16).
const environment = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  HOST: z.string().default('127.0.0.1'),
  /** Owner of the app's own database: runs migrations. The app itself connects as `people_app`. */
  DATABASE_URL: z.url(),
  /** Create the database and roles when missing (development and tests; operators do it in production). */
  DATABASE_PROVISION: z.stringbool().default(false),
  DATABASE_APP_PASSWORD: z.string().default('accanto-dev'),
  DATABASE_RELAY_PASSWORD: z.string().default('accanto-dev'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  /** Prefix for stream and subject names, so test runs and environments never collide. */
  NATS_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]*$/)
    .default(''),
  /** 1 in development, 3 in production (architecture.md §3). */
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  OIDC_ISSUER: z.url(),
  OIDC_JWKS_URL: z.url().optional(),
  OIDC_AUDIENCE: z.string().default('accanto-api'),
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
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().default('development'),
});

export type PeopleConfig = {
  port: number;
  host: string;
  database: {
    ownerUrl: string;
    provision: boolean;
    appPassword: string;
    relayPassword: string;
    poolMax: number;
  };
  nats: { url: string; namespace: string; replicas: number };
  oidc: { issuer: string; jwksUrl?: string; audience: string };
  logLevel: string;
  matcher: boolean;
  relay: boolean;
  masterKey: string;
};

export const appRole = 'people_app';
export const relayRole = 'people_relay';

/** `masterKey: false` for processes that never open sealed data (the relay): they get no key. */
export function loadConfig(
  env: Record<string, string | undefined>,
  { masterKey = true }: { masterKey?: boolean } = {},
): PeopleConfig {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`people: invalid configuration\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (masterKey && production && (!e.PEOPLE_MASTER_KEY || e.PEOPLE_MASTER_KEY === developmentMasterKey))
    throw new Error('people: PEOPLE_MASTER_KEY must be set to a secret key in production');
  return {
    port: e.PORT,
    host: e.HOST,
    database: {
      ownerUrl: e.DATABASE_URL,
      provision: e.DATABASE_PROVISION,
      appPassword: e.DATABASE_APP_PASSWORD,
      relayPassword: e.DATABASE_RELAY_PASSWORD,
      poolMax: e.DATABASE_POOL_MAX,
    },
    nats: { url: e.NATS_URL, namespace: e.NATS_NAMESPACE, replicas: e.NATS_STREAM_REPLICAS },
    oidc: { issuer: e.OIDC_ISSUER, jwksUrl: e.OIDC_JWKS_URL, audience: e.OIDC_AUDIENCE },
    logLevel: e.LOG_LEVEL,
    matcher: e.PEOPLE_MATCHER,
    relay: e.PEOPLE_RELAY,
    masterKey: e.PEOPLE_MASTER_KEY ?? developmentMasterKey,
  };
}

/** The relay's own role: reads the whole log across tenants and moves its cursor, nothing else. */
export function relayDatabaseUrl(config: PeopleConfig): string {
  return urlFor(config.database.ownerUrl, { name: relayRole, password: config.database.relayPassword });
}
