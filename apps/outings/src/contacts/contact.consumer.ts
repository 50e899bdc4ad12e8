import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { Messaging } from '#messaging';
import { ContactService } from './contact.service.js';

/**
 * Follows the people service: an erased person's contacts are anonymised; a person at special risk's
 * contacts are hidden from the hub unless the owner named it.
 */
@Injectable()
export class ContactConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: Messaging,
    private readonly orm: MikroORM,
    private readonly contacts: ContactService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.startConsumer({
      orm: this.orm,
      durable: 'outings-people',
      // One filter per consumer on NATS 2.9: the people service's events, the rest acknowledged unread.
      filterSubject: 'accanto.people.>',
      handlers: {
        'accanto.people.person-forgotten.v1': (event, em) =>
          this.contacts.forgetPerson(em, event.payload.personId, new Date(event.occurredAt)),
        'accanto.people.person-restriction-changed.v1': (event, em) =>
          this.contacts.restrictPerson(
            em,
            event.payload.personId,
            event.payload.restricted,
            event.payload.organisations,
          ),
      },
    });
  }
}
