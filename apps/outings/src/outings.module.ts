import { Module, type DynamicModule } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MikroORM } from '@mikro-orm/postgresql';
import { AuthModule } from '#auth';
import { Messaging, MessagingModule, serviceReadiness } from '#messaging';
import { HealthModule } from '#observability';
import { AlertController } from './alerts/alert.controller.js';
import { AlertService } from './alerts/alert.service.js';
import { AreaController } from './areas/area.controller.js';
import { AreaService } from './areas/area.service.js';
import { ContactController } from './contacts/contact.controller.js';
import { ContactService } from './contacts/contact.service.js';
import { CoverageController } from './coverage/coverage.controller.js';
import { CoverageService } from './coverage/coverage.service.js';
import { CountController } from './counts/count.controller.js';
import { CountService } from './counts/count.service.js';
import { relayDatabaseUrl, type OutingsConfig } from './config.js';
import { appOrmOptions } from './database.js';
import { OutingController } from './outings/outing.controller.js';
import { OutingService } from './outings/outing.service.js';
import { PersonViewConsumer } from './persons/person-view.consumer.js';
import { PersonViewService } from './persons/person-view.service.js';
import { UnitController } from './units/unit.controller.js';
import { UnitService } from './units/unit.service.js';

@Module({})
export class OutingsModule {
  static forRoot(config: OutingsConfig): DynamicModule {
    return {
      module: OutingsModule,
      imports: [
        MikroOrmModule.forRoot({ ...appOrmOptions(config), registerRequestContext: false }),
        AuthModule.forRoot(
          { issuer: config.oidc.issuer, jwksUrl: config.oidc.jwksUrl, audience: config.oidc.audience },
          { lookupsPerMinute: config.http.lookupsPerMinute },
        ),
        MessagingModule.forRoot({
          service: 'outings',
          natsUrl: config.nats.url,
          namespace: config.nats.namespace || undefined,
          relayDatabaseUrl: relayDatabaseUrl(config),
          streams: { replicas: config.nats.replicas },
          runRelay: config.relay,
        }),
        HealthModule.forRootAsync({
          prefix: 'outings',
          inject: [MikroORM, Messaging],
          useFactory: serviceReadiness,
        }),
      ],
      controllers: [
        AreaController,
        UnitController,
        OutingController,
        CoverageController,
        ContactController,
        AlertController,
        CountController,
      ],
      providers: [
        AreaService,
        UnitService,
        OutingService,
        CoverageService,
        ContactService,
        PersonViewService,
        PersonViewConsumer,
        AlertService,
        CountService,
      ],
    };
  }
}
