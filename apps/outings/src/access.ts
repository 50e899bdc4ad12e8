import type { Actor, Role } from '#contracts';

// Who may do what with units and outings (architecture.md §5: outings and areas covered are
// coordination data, read by every partner, the hub, the lead body and auditors). Pure, so every
// rule is unit-tested; the row-level security policies in the migration say the same thing.

const readerRoles: Role[] = ['operator', 'coordinator', 'hub', 'lead', 'auditor'];
const partnerRoles: Role[] = ['operator', 'coordinator'];

export function canRead(actor: Actor): boolean {
  return actor.roles.some((role) => readerRoles.includes(role));
}

export function isPartnerStaff(actor: Actor): boolean {
  return actor.roles.some((role) => partnerRoles.includes(role));
}

/** A partner's coordinators manage its units; field staff use them. */
export function canManageUnit(actor: Actor, unit: { organisation: string }): boolean {
  return actor.roles.includes('coordinator') && actor.organisation === unit.organisation;
}

/** The owning organisation's staff plan, start, complete and cancel its outings. */
export function canWriteOuting(actor: Actor, outing: { organisation: string }): boolean {
  return isPartnerStaff(actor) && actor.organisation === outing.organisation;
}

/** Team members are the owning organisation's business; the rest of the network sees counts. */
export function seesTeam(actor: Actor, outing: { organisation: string }): boolean {
  return canWriteOuting(actor, outing);
}

/**
 * What this service knows of who sees a person, from the people service's events (ids and
 * organisation codes only). `restrictedTo`: the person is at special risk and these are the
 * organisations the owner named; `consentedTo`: the partners their active consents cover.
 */
export type PersonSharing = {
  owner: string | null;
  restrictedTo: string[] | null;
  consentedTo: 'network' | string[];
};

export const notShared: PersonSharing = { owner: null, restrictedTo: null, consentedTo: [] };

/**
 * Street contacts are seen as the person is (architecture.md §5): the organisation that recorded
 * the contact; partners that see the person (the organisation that registered them, those their
 * active consents cover, or, for a person at special risk, only those the owner named); and the
 * hub, each read recorded, unless the person is at special risk and the hub was not named. An
 * anonymous contact is nobody's to share: other partners see it only in aggregates. The contact
 * policy in migration 0007 says the same.
 */
export function contactAccess(
  actor: Actor,
  contact: { organisation: string; personId?: string | null },
  person: PersonSharing = notShared,
): 'owner' | 'person' | 'hub' | null {
  const org = actor.organisation;
  if (isPartnerStaff(actor)) {
    if (org === contact.organisation) return 'owner';
    if (contact.personId && partnerSeesPerson(org, person)) return 'person';
  }
  if (actor.roles.includes('hub') && (person.restrictedTo === null || person.restrictedTo.includes(org))) {
    return 'hub';
  }
  return null;
}

function partnerSeesPerson(org: string, person: PersonSharing): boolean {
  if (person.owner === org) return true;
  if (person.restrictedTo !== null) return person.restrictedTo.includes(org);
  return person.consentedTo === 'network' || person.consentedTo.includes(org);
}

/** The hub and the lead body dispatch the network's units to any alert. */
export function isDispatcher(actor: Actor): boolean {
  return actor.roles.includes('hub') || actor.roles.includes('lead');
}

/**
 * An alert is seen and acted on by the organisation that took the call, the organisation whose
 * unit was sent, and the dispatchers; it says who is in need where, so nobody else sees it.
 */
export function alertAccess(
  actor: Actor,
  alert: { organisation: string; assignedOrganisation: string | null },
): 'receiver' | 'assigned' | 'dispatcher' | null {
  if (actor.organisation === alert.organisation && (isPartnerStaff(actor) || isDispatcher(actor)))
    return 'receiver';
  if (isPartnerStaff(actor) && actor.organisation === alert.assignedOrganisation) return 'assigned';
  if (isDispatcher(actor)) return 'dispatcher';
  return null;
}
