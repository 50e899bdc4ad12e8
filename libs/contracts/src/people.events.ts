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

export const consentRevokedV1 = z
  .object({
    consentId: z.uuid(),
    personId: z.uuid(),
  })
  .strict();

/** A read across an organisation boundary (hub read, shared read): auditors see who viewed what. */
export const personViewedV1 = z
  .object({
    personId: z.uuid(),
    basis: z.enum(['hub', 'consent']),
    consentId: z.uuid().nullable(),
  })
  .strict();
