import { z } from 'zod';

// The only place the outings app reads its environment (style.md rule 16).
const environment = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3002),
  HOST: z.string().default('127.0.0.1'),
  /** Owner of the app's own database: runs migrations. The app itself connects as `street_outings_app`. */
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
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().default('development'),
});

export type OutingsConfig = {
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
};

// The database is `street_outings` in every deployment (deploy/postgres), its roles named after it.
export const appRole = 'street_outings_app';
export const relayRole = 'street_outings_relay';

export function loadConfig(env: Record<string, string | undefined>): OutingsConfig {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`outings: invalid configuration\n${problems.join('\n')}`);
  }
  const e = parsed.data;
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
  };
}
