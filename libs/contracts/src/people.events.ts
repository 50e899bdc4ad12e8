import { z } from 'zod';
import { organisationAlias } from './envelope.js';

// People events carry ids, codes and dates only: names, aliases, birth dates and free text
// stay in the people service (architecture.md §6).

export const ageBands = ['0-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65+', 'unknown'] as const;

/** A person's record was created by its owning organisation. */
export const personRegisteredV1 = z
  .object({
    personId: z.uuid(),
    /** False for someone met but not identified, registered under a code name. */
    identified: z.boolean(),
    ageBand: z.enum(ageBands),
    usualArea: z.string().max(64).nullable(),
  })
  .strict();

/** Fields changed, by name only: the values stay in the people service. */
export const personUpdatedV1 = z
  .object({
    personId: z.uuid(),
    recordVersion: z.number().int().positive(),
    changedFields: z.array(z.string().max(64)).max(64),
  })
  .strict();

export const consentScopes = ['organisations', 'network'] as const;

export const consentGivenV1 = z
  .object({
    consentId: z.uuid(),
    personId: z.uuid(),
    scope: z.enum(consentScopes),
    organisations: z.array(organisationAlias).max(32),
    purpose: z.string().max(64),
    lawfulBasis: z.string().max(64),
    expiresAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .strict();

/** What a consent shares: the whole record, or only the network card (alias, age band, usual area). */
export const consentShares = ['record', 'card'] as const;

/**
 * v1 with what the consent shares. Services that follow who reads a person's record (street contacts
 * are seen as the person is) take only consents that share the record.
 */
export const consentGivenV2 = consentGivenV1.extend({ shares: z.enum(consentShares) }).strict();

export const consentRevokedV1 = z
  .object({
    consentId: z.uuid(),
    personId: z.uuid(),
  })
  .strict();

/** The person refused consent to share their record: it stays with the organisation that met them. */
export const consentRefusedV1 = z
  .object({
    refusalId: z.uuid(),
    personId: z.uuid(),
  })
  .strict();

/**
 * A read across an organisation boundary: auditors see who viewed what. `restriction`: the record is
 * restricted and its owner named the reader's organisation.
 */
export const personViewedV1 = z
  .object({
    personId: z.uuid(),
    basis: z.enum(['hub', 'consent', 'restriction']),
    consentId: z.uuid().nullable(),
  })
  .strict();

/**
 * A person at special risk was marked restricted, or no longer is. Other services hide what they hold
 * about the person from everyone but the owner and the organisations named. The reason stays in the
 * people service: on the bus it would itself reveal the risk.
 */
export const personRestrictionChangedV1 = z
  .object({
    personId: z.uuid(),
    restricted: z.boolean(),
    organisations: z.array(organisationAlias).max(32),
  })
  .strict();

/** Records of two organisations were found to be the same human and linked to one network person. */
export const personLinkedV1 = z
  .object({
    networkPersonId: z.uuid(),
    personIds: z.array(z.uuid()).min(2).max(2),
  })
  .strict();

/** A record left its network person; the pair is remembered so it is not proposed again. */
export const personUnlinkedV1 = z
  .object({
    networkPersonId: z.uuid(),
    personId: z.uuid(),
  })
  .strict();

/**
 * The person's data key was destroyed at their request (docs/adr/0009): every service anonymises what
 * it derived about them (street contacts lose the person link, stays and requests keep aggregates).
 */
export const personForgottenV1 = z
  .object({
    personId: z.uuid(),
  })
  .strict();
