import { Module, type DynamicModule } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MikroORM } from '@mikro-orm/postgresql';
import { AuthModule } from '#auth';
import { MessagingModule, NATS_CONNECTION, natsHealth } from '#messaging';
import { HealthModule } from '#observability';
import { ConsentController } from './consents/consent.controller.js';
import { ConsentService } from './consents/consent.service.js';
import { appOrmOptions, relayDatabaseUrl } from './database.js';
import type { PeopleConfig } from './config.js';
import { PersonController } from './persons/person.controller.js';
import { PersonService } from './persons/person.service.js';

@Module({})
export class PeopleModule {
  static forRoot(config: PeopleConfig): DynamicModule {
    return {
      module: PeopleModule,
      imports: [
        MikroOrmModule.forRoot({ ...appOrmOptions(config), registerRequestContext: false }),
        AuthModule.forRoot({ issuer: config.oidc.issuer, jwksUrl: config.oidc.jwksUrl, audience: config.oidc.audience }),
        MessagingModule.forRoot({
          service: 'people',
          natsUrl: config.nats.url,
          namespace: config.nats.namespace,
          relayDatabaseUrl: relayDatabaseUrl(config),
        }),
        HealthModule.forRoot({
          prefix: 'people',
          checks: {
            database: async () => void (await PeopleModule.orm?.em.fork().execute('select 1')),
            nats: async () => natsHealth(PeopleModule.nats),
          },
        }),
      ],
      controllers: [PersonController, ConsentController],
      providers: [PersonService, ConsentService],
    };
  }

  static orm?: MikroORM;
  static nats?: unknown;
}

export { NATS_CONNECTION };
