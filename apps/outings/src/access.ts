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
 * Street contacts are about a person: the owning organisation's staff read them, and the hub, each
 * read recorded, except a person at special risk's (`restrictedTo`: the organisations the owner
 * named). Other partners will see contacts as they see the person once the people service's
 * consents reach this one; until then they see none (architecture.md §5: never more than allowed).
 */
export function contactAccess(
  actor: Actor,
  contact: { organisation: string },
  restrictedTo: string[] | null = null,
): 'owner' | 'hub' | null {
  if (isPartnerStaff(actor) && actor.organisation === contact.organisation) return 'owner';
  if (actor.roles.includes('hub') && (restrictedTo === null || restrictedTo.includes(actor.organisation))) {
    return 'hub';
  }
  return null;
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
