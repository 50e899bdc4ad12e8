import type { Actor, Role } from '#contracts';

// Who sees a person's record (architecture.md §5). Pure, so every rule is unit-tested; the SQL in
// person.queries.ts and the row-level security policies in the migration say the same thing.

export type ConsentTerms = {
  id: string;
  scope: 'organisations' | 'network';
  organisations: string[];
  givenAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
};

export type Access = { basis: 'owner' | 'consent' | 'hub'; consentId: string | null };

const partnerRoles: Role[] = ['operator', 'coordinator'];

export function isPartnerStaff(actor: Actor): boolean {
  return actor.roles.some((role) => partnerRoles.includes(role));
}

export function isActive(consent: ConsentTerms, now: Date): boolean {
  return (
    consent.revokedAt === null &&
    consent.givenAt.getTime() <= now.getTime() &&
    (consent.expiresAt === null || consent.expiresAt.getTime() > now.getTime())
  );
}

export function covers(consent: ConsentTerms, organisation: string): boolean {
  return consent.scope === 'network' || consent.organisations.includes(organisation);
}

/** How the actor may read the record, or null: then the record does not exist for them (404). */
export function readAccess(
  actor: Actor,
  person: { ownerOrganisation: string },
  consents: ConsentTerms[],
  now: Date,
): Access | null {
  if (isPartnerStaff(actor) && actor.organisation === person.ownerOrganisation) {
    return { basis: 'owner', consentId: null };
  }
  if (actor.roles.includes('hub')) return { basis: 'hub', consentId: null };
  if (isPartnerStaff(actor)) {
    const consent = consents.find((c) => isActive(c, now) && covers(c, actor.organisation));
    if (consent) return { basis: 'consent', consentId: consent.id };
  }
  return null;
}

/** Only the owning organisation's staff change a record or its consents. */
export function canWrite(actor: Actor, person: { ownerOrganisation: string }): boolean {
  return isPartnerStaff(actor) && actor.organisation === person.ownerOrganisation;
}
