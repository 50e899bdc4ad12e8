import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { Actor } from '#contracts';
import { NotFoundProblem, ProblemException } from '#http';
import { EventLog } from '#messaging';
import { nativeQuery } from '#persistence';
import { toPersonView, type PersonView } from '../persons/person.dto.js';
import type { ErasureHoldReason } from '../persons/person.entity.js';
import { canWrite, isPartnerStaff } from '../persons/person.policy.js';
import { GoneProblem, PersonService } from '../persons/person.service.js';
import type { ErasureHoldInput, ErasureView, ForgetInput } from './erasure.dto.js';

/**
 * Erasure by crypto-shredding (docs/adr/0009): the person's data key is destroyed, so their sealed
 * data is unreadable everywhere it was copied; the row stays, emptied, for counts and audits.
 */
@Injectable()
export class ErasureService {
  constructor(
    private readonly persons: PersonService,
    private readonly events: EventLog,
  ) {}

  async forget(actor: Actor, personId: string, input: ForgetInput, now = new Date()): Promise<ErasureView> {
    if (!isPartnerStaff(actor)) throw new NotFoundProblem('person');
    // A refusal is committed (logged) before it is answered, so it is not inside the throwing transaction.
    const outcome = await this.persons.inTenant<{ refused: ErasureHoldReason } | { forgottenAt: Date }>(
      actor,
      async (em) => {
        const found = await this.persons.findVisible(em, actor, personId, now, { forgotten: true });
        if (!found || !canWrite(actor, found.person)) throw new NotFoundProblem('person');
        const { person } = found;
        if (person.forgottenAt) throw new GoneProblem();
        if (person.erasureHold) {
          await this.persons.logAccess(em, actor, 'forget-refused', [found], now);
          return { refused: person.erasureHold };
        }
        await nativeQuery(
          em,
          'update person_key set wrapped_key = null, destroyed_at = $2 where person_id = $1',
          [personId, now],
        );
        // The clear columns derived from the sealed data, or identifying with it, go too.
        em.assign(person, {
          forgottenAt: now,
          erasureBasis: input.basis,
          searchText: '',
          cardAliases: [],
          matchNames: '',
          matchKeys: [],
          birthYear: null,
          estimatedAge: null,
          estimatedAgeOn: null,
          nationality: null,
          languages: [],
          usualArea: null,
          updatedAt: now,
        });
        await em.flush();
        await em.execute('delete from match_candidate where person_a = ? or person_b = ?', [
          personId,
          personId,
        ]);
        await this.persons.logAccess(em, actor, 'forget', [found], now);
        await this.events.append(em, [
          {
            subject: 'accanto.people.person-forgotten.v1',
            organisation: person.ownerOrganisation,
            actor,
            correlationId: uuidv7(),
            subjects: { personId },
            payload: { personId },
          },
        ]);
        return { forgottenAt: now };
      },
    );
    if ('refused' in outcome) throw heldProblem(outcome.refused);
    return { personId, forgottenAt: outcome.forgottenAt.toISOString(), basis: input.basis };
  }

  /** Places or lifts the hold that makes erasure wait (an open residence request, a safeguarding case). */
  setHold(
    actor: Actor,
    personId: string,
    expectedVersion: number,
    input: ErasureHoldInput,
    now = new Date(),
  ): Promise<PersonView> {
    return this.persons.changeOwned(actor, personId, expectedVersion, now, async (em, found) => {
      em.assign(found.person, { erasureHold: input.reason, updatedAt: now });
      await em.flush();
      await this.persons.logAccess(em, actor, 'erasure-hold', [found], now);
      return toPersonView(found.person, found.access);
    });
  }
}

function heldProblem(reason: ErasureHoldReason): ProblemException {
  return new ProblemException(
    409,
    'erasure-held',
    'Erasure refused',
    `The law requires this record to be kept (${reason}). The request is logged; lift the hold when the obligation ends.`,
  );
}
