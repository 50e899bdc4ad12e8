import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp } from '#http';
import { createLogger, logRequests, NestPinoLogger, TracingInterceptor, type LogLevel } from '#observability';
import type { PeopleConfig } from './config.js';
import { prepareDatabase } from './database.js';
import { PeopleModule } from './people.module.js';

/** Migrates, then builds the people app (not yet listening): main.ts and the tests share this. */
export async function createPeopleApp(config: PeopleConfig): Promise<NestFastifyApplication> {
  await prepareDatabase(config);
  const logger = createLogger('people', config.logLevel as LogLevel);
  const app = await createHttpApp(PeopleModule.forRoot(config), {
    prefix: 'people',
    title: 'Accanto people registry',
    description:
      'Persons met by the street outreach network, their consents and who may see them. ' +
      'Every response follows the Accanto HTTP conventions (problem+json errors, ETag/If-Match, cursor pages).',
    logger: new NestPinoLogger(logger),
    loadShedding: { maxRequestsInFlight: config.http.maxRequestsInFlight },
  });
  logRequests(app.getHttpAdapter().getInstance(), logger);
  app.useGlobalInterceptors(new TracingInterceptor());
  return app;
}
