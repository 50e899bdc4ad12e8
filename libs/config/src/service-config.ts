import { z } from 'zod';

/**
 * What every Accanto service reads from its environment: its port, its database (as owner, with the
 * passwords of the app and relay roles), NATS, the identity provider, logging. An app spreads it into
 * its own schema and adds what is its own (style.md rule 16: config.ts is the only place that reads it).
 */
export function serviceEnvironment(defaultPort: number) {
  return {
    PORT: z.coerce.number().int().min(0).max(65535).default(defaultPort),
    HOST: z.string().default('127.0.0.1'),
    /** Owner of the app's own database: runs migrations. The app itself connects as its `_app` role. */
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
    /** Requests an app works on at once before refusing more with 503 (libs/http load shedding, ADR 0013). */
    HTTP_MAX_REQUESTS_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).optional(),
    /** Lookups (search, match candidates, exports) each client may make per minute (libs/auth, ADR 0014). */
    HTTP_LOOKUPS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    NODE_ENV: z.string().default('development'),
  };
}

type ServiceEnvironment = z.output<z.ZodObject<ReturnType<typeof serviceEnvironment>>>;

export type ServiceConfig = {
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
  /** Unset: libs/http's default. */
  http: { maxRequestsInFlight?: number; lookupsPerMinute?: number };
  logLevel: string;
};

/** Parses the environment against an app's schema; every problem is named at once, then start-up stops. */
export function parseEnvironment<S extends z.ZodType>(
  service: string,
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`${service}: invalid configuration\n${problems.join('\n')}`);
}

/** The shared part of an app's configuration, from its parsed environment. */
export function serviceConfigOf(e: ServiceEnvironment): ServiceConfig {
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
    http: { maxRequestsInFlight: e.HTTP_MAX_REQUESTS_IN_FLIGHT, lookupsPerMinute: e.HTTP_LOOKUPS_PER_MINUTE },
    logLevel: e.LOG_LEVEL,
  };
}
