import { Injectable } from '@nestjs/common';
import type { Actor } from '#contracts';
import { NotFoundProblem } from '#http';
import { GoneProblem } from '../persons/person.service.js';
import { Consent } from '../consents/consent.entity.js';
import { toConsentView, type ConsentView } from '../consents/consent.dto.js';
import { toPersonView, type PersonView } from '../persons/person.dto.js';
import { canWrite } from '../persons/person.policy.js';
import { PersonService } from '../persons/person.service.js';

export type SubjectAccessExport = {
  generatedAt: string;
  generatedBy: { organisation: string; userId: string };
  person: PersonView;
  consents: ConsentView[];
  consentRefusals: Array<{ id: string; refusedAt: string }>;
  links: Array<{ networkPersonId: string; linkedAt: string; unlinkedAt: string | null }>;
  accessLog: Array<{ action: string; basis: string; organisation: string; roles: string[]; at: string }>;
};

/**
 * A person's own data as one JSON document (GDPR art. 15, subject access request): what the owning
 * organisation holds, who was allowed to see it and who did.
 */
@Injectable()
export class SubjectAccessService {
  constructor(private readonly persons: PersonService) {}

  async export(actor: Actor, personId: string, now = new Date()): Promise<SubjectAccessExport> {
    return this.persons.inTenant(actor, async (em) => {
      const found = await this.persons.findVisible(em, actor, personId, now, { forgotten: true });
      if (!found || !canWrite(actor, found.person)) throw new NotFoundProblem('person');
      if (found.person.forgottenAt) throw new GoneProblem();
      const consents = await em.find(Consent, { personId }, { orderBy: { givenAt: 'asc', id: 'asc' } });
      const refusals = await em.execute<Array<{ id: string; refused_at: Date }>>(
        'select id, refused_at from consent_refusal where person_id = ? order by refused_at',
        [personId],
      );
      const links = await em.execute<
        Array<{ network_person_id: string; linked_at: Date; unlinked_at: Date | null }>
      >(
        'select network_person_id, linked_at, unlinked_at from person_link where person_id = ? order by linked_at',
        [personId],
      );
      const accesses = await em.execute<
        Array<{ action: string; basis: string; actor_organisation: string; actor_roles: string[]; at: Date }>
      >(
        'select action, basis, actor_organisation, actor_roles, at from access_log where person_id = ? order by id',
        [personId],
      );
      await this.persons.logAccess(em, actor, 'export', [found], now);
      const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
      return {
        generatedAt: now.toISOString(),
        generatedBy: { organisation: actor.organisation, userId: actor.userId },
        person: toPersonView(found.person, found.access),
        consents: consents.map((c) => toConsentView(c, now)),
        consentRefusals: refusals.map((r) => ({ id: r.id, refusedAt: iso(r.refused_at)! })),
        links: links.map((l) => ({
          networkPersonId: l.network_person_id,
          linkedAt: iso(l.linked_at)!,
          unlinkedAt: iso(l.unlinked_at),
        })),
        // Staff are named by organisation and role: the person learns who saw their data, not staff ids.
        accessLog: accesses.map((a) => ({
          action: a.action,
          basis: a.basis,
          organisation: a.actor_organisation,
          roles: a.actor_roles,
          at: iso(a.at)!,
        })),
      };
    });
  }
}
