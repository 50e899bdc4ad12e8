import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { Actor } from '#contracts';
import { NotFoundProblem, ProblemException } from '#http';
import { EventLog } from '#messaging';
import { createOnce } from '../idempotency.js';
import { PersonService } from '../persons/person.service.js';
import { canWrite } from '../persons/person.policy.js';
import { Consent } from './consent.entity.js';
import { consentReport, type ConsentReport, type ConsentReportQuery } from './consent-report.js';
import {
  toConsentView,
  type ConsentView,
  type GiveConsentInput,
  type RefuseConsentInput,
} from './consent.dto.js';

type Visible = NonNullable<Awaited<ReturnType<PersonService['findVisible']>>>;

@Injectable()
export class ConsentService {
  constructor(
    private readonly persons: PersonService,
    private readonly events: EventLog,
  ) {}

  /** The owner records a consent the person gave; from then on it decides who else reads the record. */
  async give(
    actor: Actor,
    personId: string,
    input: GiveConsentInput,
    key?: string,
    now = new Date(),
  ): Promise<{ result: ConsentView; created: boolean }> {
    return this.persons.inTenant(actor, async (em) => {
      const found = await this.persons.findVisible(em, actor, personId, now);
      if (!found || !canWrite(actor, found.person)) throw new NotFoundProblem('person');
      const request = { route: 'POST /people/persons/{id}/consents', personId, input };
      return createOnce(
        em,
        actor,
        key,
        request,
        () => this.record(em, actor, found, input, now),
        async (id) => toConsentView(await em.findOneOrFail(Consent, { id, personId }), now),
      );
    });
  }

  private async record(
    em: EntityManager,
    actor: Actor,
    found: Visible,
    input: GiveConsentInput,
    now: Date,
  ): Promise<ConsentView> {
    const personId = found.person.id;
    const consent = em.create(Consent, {
      id: uuidv7(),
      personId,
      ownerOrganisation: found.person.ownerOrganisation,
      scope: input.scope,
      organisations: [...new Set(input.organisations)].filter((o) => o !== actor.organisation),
      shares: input.shares,
      purpose: input.purpose,
      lawfulBasis: input.lawfulBasis,
      evidence: input.evidence,
      givenAt: new Date(input.givenAt),
      expiresAt: input.expiresAt === null ? null : new Date(input.expiresAt),
      recordedBy: actor.userId,
      recordedAt: now,
    });
    await em.flush();
    await this.persons.logAccess(em, actor, 'consent-given', [found], now);
    await this.events.append(em, [
      {
        subject: 'accanto.people.consent-given.v2',
        organisation: consent.ownerOrganisation,
        actor,
        correlationId: uuidv7(),
        occurredAt: consent.givenAt,
        subjects: { personId, consentId: consent.id },
        payload: {
          consentId: consent.id,
          personId,
          scope: consent.scope,
          organisations: consent.organisations,
          shares: consent.shares,
          purpose: consent.purpose,
          lawfulBasis: consent.lawfulBasis,
          expiresAt: consent.expiresAt?.toISOString() ?? null,
        },
      },
    ]);
    return toConsentView(consent, now);
  }

  async revoke(actor: Actor, personId: string, consentId: string, reason: string | null, now = new Date()) {
    return this.persons.inTenant(actor, async (em) => {
      const found = await this.persons.findVisible(em, actor, personId, now);
      if (!found || !canWrite(actor, found.person)) throw new NotFoundProblem('person');
      const consent = await em.findOne(Consent, { id: consentId, personId });
      if (!consent) throw new NotFoundProblem('consent');
      if (consent.revokedAt !== null) {
        throw new ProblemException(
          409,
          'already-revoked',
          'Already revoked',
          'This consent was already revoked.',
        );
      }
      consent.revokedAt = now;
      consent.revokedBy = actor.userId;
      consent.revocationReason = reason;
      await em.flush();
      await this.persons.logAccess(em, actor, 'consent-revoked', [found], now);
      await this.events.append(em, [
        {
          subject: 'accanto.people.consent-revoked.v1',
          organisation: consent.ownerOrganisation,
          actor,
          correlationId: uuidv7(),
          subjects: { personId, consentId },
          payload: { consentId, personId },
        },
      ]);
      return toConsentView(consent, now);
    });
  }

  /** The person refused consent: recorded as data, so coordinators can see it in their report. */
  async refuse(actor: Actor, personId: string, input: RefuseConsentInput, key?: string, now = new Date()) {
    return this.persons.inTenant(actor, async (em) => {
      const found = await this.persons.findVisible(em, actor, personId, now);
      if (!found || !canWrite(actor, found.person)) throw new NotFoundProblem('person');
      const request = { route: 'POST /people/persons/{id}/consent-refusals', personId, input };
      return createOnce(
        em,
        actor,
        key,
        request,
        () => this.recordRefusal(em, actor, found, input, now),
        async (id) => {
          const [row] = await em.execute<Array<{ refused_at: Date }>>(
            'select refused_at from consent_refusal where id = ?',
            [id],
          );
          return { id, personId, refusedAt: new Date(row.refused_at).toISOString() };
        },
      );
    });
  }

  private async recordRefusal(
    em: EntityManager,
    actor: Actor,
    found: Visible,
    input: RefuseConsentInput,
    now: Date,
  ) {
    const personId = found.person.id;
    const refusalId = uuidv7();
    await em.execute(
      `insert into consent_refusal (id, person_id, owner_organisation, refused_at, recorded_by, recorded_at)
       values (?, ?, ?, ?, ?, ?)`,
      [refusalId, personId, found.person.ownerOrganisation, new Date(input.refusedAt), actor.userId, now],
    );
    await this.persons.logAccess(em, actor, 'consent-refused', [found], now);
    await this.events.append(em, [
      {
        subject: 'accanto.people.consent-refused.v1',
        organisation: found.person.ownerOrganisation,
        actor,
        correlationId: uuidv7(),
        occurredAt: new Date(input.refusedAt),
        subjects: { personId },
        payload: { refusalId, personId },
      },
    ]);
    return { id: refusalId, personId, refusedAt: new Date(input.refusedAt).toISOString() };
  }

  /** People with no consent, consents expiring soon, refusals: for the organisation's coordinators. */
  report(actor: Actor, query: ConsentReportQuery, now = new Date()): Promise<ConsentReport> {
    return this.persons.inTenant(actor, (em) =>
      consentReport(em, actor.organisation, query.expiringWithinDays, now),
    );
  }

  async list(actor: Actor, personId: string, now = new Date()): Promise<{ items: ConsentView[] }> {
    return this.persons.inTenant(actor, async (em) => {
      const found = await this.persons.findVisible(em, actor, personId, now);
      if (!found || !canWrite(actor, found.person)) throw new NotFoundProblem('person');
      const consents = await em.find(Consent, { personId }, { orderBy: { givenAt: 'asc', id: 'asc' } });
      return { items: consents.map((c) => toConsentView(c, now)) };
    });
  }
}
