import type { Actor, Role } from '#contracts';
import type { ConsentShares } from '../consents/consent.entity.js';

// Who sees a person's record (architecture.md §5). Pure, so every rule is unit-tested; the SQL in
// person.queries.ts and the row-level security policies in the migration say the same thing.

export type ConsentTerms = {
  id: string;
  scope: 'organisations' | 'network';
  organisations: string[];
  shares: ConsentShares;
  givenAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
};

export type Access = { basis: 'owner' | 'consent' | 'hub' | 'restriction'; consentId: string | null };

/** What the policy needs to know about a record. */
export type Guarded = { ownerOrganisation: string; restricted: boolean; restrictedTo: string[] };

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
  person: Guarded,
  consents: ConsentTerms[],
  now: Date,
): Access | null {
  if (isPartnerStaff(actor) && actor.organisation === person.ownerOrganisation) {
    return { basis: 'owner', consentId: null };
  }
  const isHub = actor.roles.includes('hub');
  if (person.restricted) {
    // A person at special risk: only organisations the owner named, whatever consents or roles say.
    const named = person.restrictedTo.includes(actor.organisation) && (isPartnerStaff(actor) || isHub);
    return named ? { basis: 'restriction', consentId: null } : null;
  }
  if (isHub) return { basis: 'hub', consentId: null };
  if (isPartnerStaff(actor)) {
    const consent = consents.find(
      (c) => c.shares === 'record' && isActive(c, now) && covers(c, actor.organisation),
    );
    if (consent) return { basis: 'consent', consentId: consent.id };
  }
  return null;
}

/** Only the owning organisation's staff change a record or its consents. */
export function canWrite(actor: Actor, person: Pick<Guarded, 'ownerOrganisation'>): boolean {
  return isPartnerStaff(actor) && actor.organisation === person.ownerOrganisation;
}

/** Field staff may protect someone at once; lifting a protection is a coordinator's decision. */
export function canChangeRestriction(actor: Actor, person: Guarded, restrict: boolean): boolean {
  if (!canWrite(actor, person)) return false;
  return restrict || actor.roles.includes('coordinator');
}
