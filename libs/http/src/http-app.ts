import type { DynamicModule, INestApplication, LoggerService, Type } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { shedLoad, type LoadSheddingOptions } from './load-shedding.js';
import { ProblemFilter } from './problem.filter.js';
import { ValidationInterceptor } from './validation.interceptor.js';

export type HttpAppOptions = {
  /** Path prefix of the app, e.g. `people`: routes, OpenAPI and docs live under it. */
  prefix: string;
  title: string;
  description: string;
  /** Requests above this size get 413 before any parsing (api.md: bodies are capped). */
  bodyLimitBytes?: number;
  logger?: LoggerService | false;
  loadShedding?: LoadSheddingOptions;
};

/** Every app's HTTP shell: Fastify, problem+json errors, zod validation, OpenAPI at /<prefix>/openapi.json. */
export async function createHttpApp(
  module: Type | DynamicModule,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: options.bodyLimitBytes ?? 64 * 1024, trustProxy: true });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: options.logger ?? false,
    abortOnError: false,
  });
  // Nest maps Fastify's own 4xx (malformed JSON, body too large, media type) to HttpExceptions, so
  // ProblemFilter answers those in the same problem+json shape.
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalInterceptors(new ValidationInterceptor(app.get(Reflector)));
  app.enableShutdownHooks();
  await shedLoad(app, options.loadShedding);
  setUpOpenApi(app, options);
  return app;
}

function setUpOpenApi(app: INestApplication, options: HttpAppOptions): void {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addSecurityRequirements('bearer')
    // libs/auth reads it (ORGANISATION_HEADER): named here so integrators see it on every route.
    .addGlobalParameters({
      name: 'X-Organisation',
      in: 'header',
      required: false,
      description:
        'The organisation the caller acts for (its alias), required when the token names several: ' +
        '400 without it, 403 when the token does not name it.',
      schema: { type: 'string', maxLength: 63 },
    })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(`${options.prefix}/docs`, app, document, {
    jsonDocumentUrl: `${options.prefix}/openapi.json`,
    yamlDocumentUrl: `${options.prefix}/openapi.yaml`,
  });
}
