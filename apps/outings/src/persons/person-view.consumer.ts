import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { Messaging } from '#messaging';
import { PersonViewService } from './person-view.service.js';

/**
 * Follows the people service, keeping a view of who sees each person (ids and organisation codes,
 * no personal data): the organisation that registered them, their consents, links between records,
 * restrictions of persons at special risk; an erased person's contacts are anonymised. Each event
 * is applied once (the consumer's inbox); the view is keyed by person, not by contact, so it holds
 * whether the events arrive before or after the contacts.
 */
@Injectable()
export class PersonViewConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: Messaging,
    private readonly orm: MikroORM,
    private readonly persons: PersonViewService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.startConsumer({
      orm: this.orm,
      durable: 'outings-people',
      // One filter per consumer on NATS 2.9: the people service's events, the rest acknowledged unread.
      filterSubject: 'accanto.people.>',
      handlers: {
        'accanto.people.person-registered.v1': (event, em) =>
          this.persons.registerPerson(em, event.payload.personId, event.organisation),
        'accanto.people.consent-given.v1': (event, em) => this.persons.giveConsent(em, event.payload),
        'accanto.people.consent-given.v2': (event, em) => this.persons.giveConsent(em, event.payload),
        'accanto.people.consent-revoked.v1': (event, em) =>
          this.persons.revokeConsent(em, event.payload.consentId, event.payload.personId),
        'accanto.people.person-linked.v1': (event, em) =>
          this.persons.linkPersons(em, event.payload.networkPersonId, event.payload.personIds),
        'accanto.people.person-unlinked.v1': (event, em) =>
          this.persons.unlinkPerson(em, event.payload.networkPersonId, event.payload.personId),
        'accanto.people.person-forgotten.v1': (event, em) =>
          this.persons.forgetPerson(em, event.payload.personId, new Date(event.occurredAt)),
        'accanto.people.person-restriction-changed.v1': (event, em) =>
          this.persons.restrictPerson(
            em,
            event.payload.personId,
            event.payload.restricted,
            event.payload.organisations,
          ),
      },
    });
  }
}
