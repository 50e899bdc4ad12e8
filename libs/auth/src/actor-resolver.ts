import { organisationAlias, roles, type Actor, type Role } from '#contracts';
import type { VerifiedToken } from './token-verifier.js';

/** The request header a member of several organisations uses to say which one they act for. */
export const ORGANISATION_HEADER = 'x-organisation';

export type ActorRefusalReason = 'no-organisation' | 'organisation-required' | 'not-a-member';

/** The token is valid but does not make a usable actor for this request. */
export class ActorRefusedError extends Error {
  override readonly name = 'ActorRefusedError';
  constructor(readonly reason: ActorRefusalReason) {
    super(refusalMessages[reason]);
  }
}

const refusalMessages: Record<ActorRefusalReason, string> = {
  'no-organisation': 'the user belongs to no organisation',
  'organisation-required': `the user belongs to several organisations: name the acting one in the ${ORGANISATION_HEADER} header`,
  'not-a-member': `the user does not belong to the organisation named in the ${ORGANISATION_HEADER} header`,
};

/**
 * Aliases from Keycloak's `organization` claim, which comes as a string, an array of aliases or an
 * object keyed by alias depending on the mapper. Anything else, and any alias our contracts cannot
 * carry, counts as no organisation.
 */
export function organisationsOf(claim: unknown): string[] {
  let candidates: unknown[] = [];
  if (typeof claim === 'string') candidates = [claim];
  else if (Array.isArray(claim)) candidates = claim;
  else if (claim !== null && typeof claim === 'object') candidates = Object.keys(claim);
  const aliases = candidates.filter(
    (candidate): candidate is string => organisationAlias.safeParse(candidate).success,
  );
  return [...new Set(aliases)];
}

/** Realm roles we know; Keycloak's own (`offline_access`, `default-roles-…`) are dropped. */
export function rolesOf(token: Pick<VerifiedToken, 'realm_access'>): Role[] {
  const granted = token.realm_access?.roles;
  if (!Array.isArray(granted)) return [];
  return roles.filter((known) => granted.includes(known));
}

export function resolveActor(
  token: Pick<VerifiedToken, 'sub' | 'realm_access' | 'organization'>,
  requestedOrganisation?: string,
): Actor {
  const organisations = organisationsOf(token.organization);
  if (organisations.length === 0) throw new ActorRefusedError('no-organisation');
  let organisation: string;
  if (requestedOrganisation) {
    if (!organisations.includes(requestedOrganisation)) throw new ActorRefusedError('not-a-member');
    organisation = requestedOrganisation;
  } else if (organisations.length === 1) {
    organisation = organisations[0];
  } else {
    // Never pick one for them: the tenant must be explicit, or a record could land in the wrong partner.
    throw new ActorRefusedError('organisation-required');
  }
  return { userId: token.sub, organisation, roles: rolesOf(token) };
}
