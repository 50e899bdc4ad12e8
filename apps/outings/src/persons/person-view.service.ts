import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { arrayParameters } from '#persistence';

/**
 * This service's view of who sees each person, kept from the people service's events (ids and
 * organisation codes, no personal data): the organisation that registered them, their consents,
 * the links between records, the restrictions of persons at special risk. Contacts are shared as
 * their person is (access.ts); the SQL functions of migrations 0002, 0005 and 0007 keep the view.
 */
@Injectable()
export class PersonViewService {
  /** The organisation that registered the person sees their contacts (person-registered). */
  async registerPerson(em: EntityManager, personId: string, organisation: string): Promise<void> {
    await em.execute('select register_person_owner(?, ?)', [personId, organisation]);
  }

  /**
   * A consent to share the person's record shares their contacts with the same partners. One that
   * shares only the network card (v2's `shares`; v1 consents all shared the record) shares none.
   */
  async giveConsent(
    em: EntityManager,
    consent: {
      consentId: string;
      personId: string;
      scope: string;
      organisations: string[];
      shares?: 'record' | 'card';
      expiresAt: string | null;
    },
  ): Promise<void> {
    if (consent.shares === 'card') return;
    await em.execute('select give_consent(?, ?, ?, ?::text[], ?)', [
      consent.consentId,
      consent.personId,
      consent.scope,
      arrayParameters([consent.organisations])[0],
      consent.expiresAt,
    ]);
  }

  async revokeConsent(em: EntityManager, consentId: string, personId: string): Promise<void> {
    await em.execute('select revoke_consent(?, ?)', [consentId, personId]);
  }

  /** Records found to be the same human: a person's contact list takes in the other's. */
  async linkPersons(em: EntityManager, networkPersonId: string, personIds: string[]): Promise<void> {
    await em.execute('select link_persons(?, ?::uuid[])', [networkPersonId, arrayParameters([personIds])[0]]);
  }

  async unlinkPerson(em: EntityManager, networkPersonId: string, personId: string): Promise<void> {
    await em.execute('select unlink_person(?, ?)', [networkPersonId, personId]);
  }

  /** A person at special risk, or no longer: the hub reads their contacts only if named. */
  async restrictPerson(em: EntityManager, personId: string, restricted: boolean, organisations: string[]) {
    await em.execute('select restrict_person(?, ?, ?::text[])', [
      personId,
      restricted,
      arrayParameters([organisations])[0],
    ]);
  }

  /** The person was erased in the people service: their contacts stay, anonymous. */
  async forgetPerson(em: EntityManager, personId: string, at: Date): Promise<void> {
    await em.execute('select forget_person(?, ?)', [personId, at]);
  }
}
