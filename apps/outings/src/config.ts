import { z } from 'zod';
import { parseEnvironment, serviceConfigOf, serviceEnvironment, type ServiceConfig } from '#config';

// The only place the outings app reads its environment (style.md rule 16).
const environment = z.object(serviceEnvironment(3002));

export type OutingsConfig = ServiceConfig;

// The database is `street_outings` in every deployment (deploy/postgres), its roles named after it.
export const appRole = 'street_outings_app';
export const relayRole = 'street_outings_relay';

export function loadConfig(env: Record<string, string | undefined>): OutingsConfig {
  return serviceConfigOf(parseEnvironment('outings', environment, env));
}
