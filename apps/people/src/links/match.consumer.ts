import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { Messaging } from '#messaging';
import { LinkService } from './link.service.js';

/**
 * The people service follows its own events to find match candidates off the request path: a
 * registration answers at once, and the matcher's wider (hub) reach never touches a partner's request.
 */
@Injectable()
export class MatchConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: Messaging,
    private readonly orm: MikroORM,
    private readonly links: LinkService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.startConsumer({
      orm: this.orm,
      durable: 'people-matcher',
      filterSubject: 'accanto.people.>',
      handlers: {
        'accanto.people.person-registered.v1': async (event, em) =>
          void (await this.links.propose(em, event.payload.personId, new Date())),
        'accanto.people.person-updated.v1': async (event, em) =>
          void (await this.links.propose(em, event.payload.personId, new Date())),
      },
    });
  }
}
