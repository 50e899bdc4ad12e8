import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp } from '#http';
import { createLogger, logRequests, NestPinoLogger, TracingInterceptor, type LogLevel } from '#observability';
import type { OutingsConfig } from './config.js';
import { prepareDatabase } from './database.js';
import { OutingsModule } from './outings.module.js';

/** Migrates, then builds the outings app (not yet listening): main.ts and the tests share this. */
export async function createOutingsApp(config: OutingsConfig): Promise<NestFastifyApplication> {
  await prepareDatabase(config);
  const logger = createLogger('outings', config.logLevel as LogLevel);
  const app = await createHttpApp(OutingsModule.forRoot(config), {
    prefix: 'outings',
    title: 'Accanto street outings',
    description:
      "The partners' mobile units, the city's areas and the units' night outings: who is where tonight. " +
      'Every response follows the Accanto HTTP conventions (problem+json errors, ETag/If-Match, cursor pages).',
    // A field app uploads a night's contacts at once: 500 per batch, about 700 bytes each as sent,
    // up to 5 KB with every bounded text full and escaped; 3 MiB holds the largest batch possible.
    bodyLimitBytes: 3 * 1024 * 1024,
    logger: new NestPinoLogger(logger),
    loadShedding: { maxRequestsInFlight: config.http.maxRequestsInFlight },
  });
  logRequests(app.getHttpAdapter().getInstance(), logger);
  app.useGlobalInterceptors(new TracingInterceptor());
  return app;
}
