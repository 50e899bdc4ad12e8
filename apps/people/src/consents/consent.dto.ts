import { z } from 'zod';
import { organisationAlias } from '#contracts';
import {
  consentPurposes,
  consentScopes,
  consentShares,
  evidenceKinds,
  lawfulBases,
  type Consent,
} from './consent.entity.js';

const dateTime = z.iso.datetime({ offset: true });

export const giveConsentInput = z
  .object({
    scope: z.enum(consentScopes),
    /** The partner organisations the person agreed to share with (scope `organisations`). */
    organisations: z.array(organisationAlias).max(32).default([]),
    /** The whole record (the default), or only the network card: alias, age band, usual area. */
    shares: z.enum(consentShares).default('record'),
    purpose: z.enum(consentPurposes),
    lawfulBasis: z.enum(lawfulBases),
    evidence: z
      .object({
        kind: z.enum(evidenceKinds),
        reference: z.string().trim().min(1).max(200).nullable().default(null),
        witnessedBy: z.string().trim().min(1).max(200).nullable().default(null),
      })
      .strict(),
    givenAt: dateTime,
    expiresAt: dateTime.nullable().default(null),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.scope === 'organisations' && c.organisations.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['organisations'], message: 'name at least one organisation' });
    }
    if (c.scope === 'network' && c.organisations.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['organisations'],
        message: 'a network consent names no organisations',
      });
    }
    if (c.expiresAt !== null && Date.parse(c.expiresAt) <= Date.parse(c.givenAt)) {
      ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be after givenAt' });
    }
    if (Date.parse(c.givenAt) > Date.now() + 5 * 60_000) {
      ctx.addIssue({ code: 'custom', path: ['givenAt'], message: 'cannot be in the future' });
    }
  });
export type GiveConsentInput = z.output<typeof giveConsentInput>;

export const refuseConsentInput = z
  .object({ refusedAt: dateTime })
  .strict()
  .refine((r) => Date.parse(r.refusedAt) <= Date.now() + 5 * 60_000, {
    path: ['refusedAt'],
    message: 'cannot be in the future',
  });
export type RefuseConsentInput = z.output<typeof refuseConsentInput>;

export const revokeConsentInput = z
  .object({ reason: z.string().trim().min(1).max(500).nullable().default(null) })
  .strict();

export const consentParams = z.object({ id: z.uuid({ version: 'v7' }), consentId: z.uuid() }).strict();

export type ConsentView = {
  id: string;
  personId: string;
  scope: string;
  organisations: string[];
  shares: string;
  purpose: string;
  lawfulBasis: string;
  evidence: Consent['evidence'];
  givenAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  revocationReason: string | null;
  active: boolean;
};

export function toConsentView(c: Consent, now: Date): ConsentView {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: c.id,
    personId: c.personId,
    scope: c.scope,
    organisations: c.organisations,
    shares: c.shares,
    purpose: c.purpose,
    lawfulBasis: c.lawfulBasis,
    evidence: c.evidence,
    givenAt: iso(c.givenAt)!,
    expiresAt: iso(c.expiresAt),
    revokedAt: iso(c.revokedAt),
    revocationReason: c.revocationReason,
    active: c.revokedAt === null && (c.expiresAt === null || new Date(c.expiresAt) > now),
  };
}
