import { startInfrastructure } from './infrastructure.ts';

// Resolves PostgreSQL and NATS once per jest run; workers inherit the URLs through the environment.
export default async function globalSetup(): Promise<void> {
  const infrastructure = await startInfrastructure();
  process.env.DATABASE_URL = infrastructure.databaseUrl;
  process.env.NATS_URL = infrastructure.natsUrl;
  (globalThis as { __accantoInfrastructure?: typeof infrastructure }).__accantoInfrastructure =
    infrastructure;
}
