import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { Messaging } from '#messaging';
import { ContactService } from './contact.service.js';

/** Follows the people service's erasures: what this service derived about the person is anonymised. */
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
      durable: 'outings-person-forgotten',
      filterSubject: 'accanto.people.person-forgotten.v1',
      handlers: {
        'accanto.people.person-forgotten.v1': (event, em) =>
          this.contacts.forgetPerson(em, event.payload.personId, new Date(event.occurredAt)),
      },
    });
  }
}
