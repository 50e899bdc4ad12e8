import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { Actor } from '#contracts';
import { nativeQuery } from '#persistence';

export const accessActions = [
  'read',
  /** The network card only (alias, age band, usual area). */
  'card',
  'register',
  'update',
  'restriction',
  'consent-given',
  'consent-revoked',
  'consent-refused',
  'link',
  'unlink',
  'export',
  'erasure-hold',
  'forget',
  'forget-refused',
] as const;
export type AccessAction = (typeof accessActions)[number];

export type AccessEntry = {
  personId: string;
  ownerOrganisation: string;
  action: AccessAction;
  basis: 'owner' | 'consent' | 'hub' | 'restriction';
  consentId: string | null;
};

/**
 * Who read or changed a person's record, when, under which role and basis (Primero logs every view).
 * Written in the same transaction as the read or change; never updated or deleted.
 */
export async function recordAccess(
  em: EntityManager,
  actor: Actor,
  entries: AccessEntry[],
  at: Date,
): Promise<void> {
  if (entries.length === 0) return;
  const columns = 10;
  const values = entries.map(
    (_, row) => `(${Array.from({ length: columns }, (_, i) => `$${row * columns + i + 1}`).join(', ')})`,
  );
  await nativeQuery(
    em,
    `insert into access_log (id, person_id, owner_organisation, action, basis, consent_id,
       actor_user, actor_organisation, actor_roles, at) values ${values.join(', ')}`,
    entries.flatMap((e) => [
      uuidv7(),
      e.personId,
      e.ownerOrganisation,
      e.action,
      e.basis,
      e.consentId,
      actor.userId,
      actor.organisation,
      actor.roles,
      at,
    ]),
  );
}
