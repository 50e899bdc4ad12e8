import { Module, type DynamicModule } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MikroORM } from '@mikro-orm/postgresql';
import { AuthModule } from '#auth';
import { Messaging, MessagingModule, serviceReadiness } from '#messaging';
import { HealthModule } from '#observability';
import { AccessLogController } from './access-log/access-log.controller.js';
import { AccessLogService } from './access-log/access-log.service.js';
import { CardController } from './cards/card.controller.js';
import { CardService } from './cards/card.service.js';
import { ConsentController } from './consents/consent.controller.js';
import { ConsentService } from './consents/consent.service.js';
import { LinkController } from './links/link.controller.js';
import { LinkService } from './links/link.service.js';
import { MatchConsumer } from './links/match.consumer.js';
import { appOrmOptions } from './database.js';
import { relayDatabaseUrl, type PeopleConfig } from './config.js';
import { PersonController } from './persons/person.controller.js';
import { PersonService } from './persons/person.service.js';
import { SubjectAccessController } from './subject-access/subject-access.controller.js';
import { SubjectAccessService } from './subject-access/subject-access.service.js';
import { ErasureController } from './erasure/erasure.controller.js';
import { ErasureService } from './erasure/erasure.service.js';
import { PersonVault } from './vault/person-vault.js';

@Module({})
export class PeopleModule {
  static forRoot(config: PeopleConfig): DynamicModule {
    return {
      module: PeopleModule,
      imports: [
        MikroOrmModule.forRoot({ ...appOrmOptions(config), registerRequestContext: false }),
        AuthModule.forRoot(
          { issuer: config.oidc.issuer, jwksUrl: config.oidc.jwksUrl, audience: config.oidc.audience },
          { lookupsPerMinute: config.http.lookupsPerMinute },
        ),
        MessagingModule.forRoot({
          service: 'people',
          natsUrl: config.nats.url,
          namespace: config.nats.namespace || undefined,
          relayDatabaseUrl: relayDatabaseUrl(config),
          streams: { replicas: config.nats.replicas },
          runRelay: config.relay,
        }),
        HealthModule.forRootAsync({
          prefix: 'people',
          inject: [MikroORM, Messaging],
          useFactory: serviceReadiness,
        }),
      ],
      controllers: [
        PersonController,
        ConsentController,
        AccessLogController,
        LinkController,
        SubjectAccessController,
        ErasureController,
        CardController,
      ],
      providers: [
        PersonService,
        ConsentService,
        AccessLogService,
        LinkService,
        SubjectAccessService,
        ErasureService,
        CardService,
        { provide: PersonVault, useValue: new PersonVault(config.masterKey) },
        // The matcher may run in replicas of its own (PEOPLE_MATCHER=false on API replicas).
        ...(config.matcher ? [MatchConsumer] : []),
      ],
    };
  }
}
