import { z } from 'zod';
import { areaCode, contactServices, livingSituations, referralTargets } from '#contracts';
import { pageQuery, type Problem } from '#http';
import type { Contact } from './contact.entity.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

const place = z
  .object({
    area: areaCode.nullable().default(null),
    latitude: z.number().min(-90).max(90).nullable().default(null),
    longitude: z.number().min(-180).max(180).nullable().default(null),
    description: text(200).nullable().default(null),
  })
  .strict()
  .superRefine((p, ctx) => {
    if ((p.latitude === null) !== (p.longitude === null)) {
      ctx.addIssue({ code: 'custom', path: ['latitude'], message: 'give both coordinates or neither' });
    }
    if (p.area === null && p.latitude === null) {
      ctx.addIssue({ code: 'custom', path: ['area'], message: 'give the area, the coordinates, or both' });
    }
  });

const contactFields = {
  outingId: z.uuid(),
  memberId: z.uuid(),
  occurredAt: instant,
  place,
  personId: z.uuid().nullable().default(null),
  anonymousDescription: text(300).nullable().default(null),
  beddedDown: z.boolean(),
  livingSituation: z.enum(livingSituations),
  services: z.partialRecord(z.enum(contactServices), z.number().int().min(1).max(100)).default({}),
  referrals: z
    .array(z.enum(referralTargets))
    .max(referralTargets.length)
    .refine((r) => new Set(r).size === r.length, 'a referral appears twice')
    .default([]),
  firstContact: z.boolean().default(false),
};

// Someone met is either a person the organisation has on record or an anonymous description.
function onePerson(
  c: { personId: string | null; anonymousDescription: string | null },
  ctx: z.RefinementCtx,
) {
  if ((c.personId === null) === (c.anonymousDescription === null)) {
    ctx.addIssue({
      code: 'custom',
      path: ['personId'],
      message: 'give the person id, or a description of someone anonymous, not both',
    });
  }
}

export const contactInput = z.object(contactFields).strict().superRefine(onePerson);
export type ContactInput = z.output<typeof contactInput>;

/** The most contacts one upload carries: a busy night of one unit, with room to spare. */
export const maxBatchContacts = 500;

/** One contact of a batch, checked on its own so a bad one is answered without losing the others. */
export const contactBatchItem = z
  .object({ id: z.uuid({ version: 'v7' }), ...contactFields })
  .strict()
  .superRefine(onePerson);
export type ContactBatchItem = z.output<typeof contactBatchItem>;

/**
 * What a field app uploads when it is back online. Only the envelope is checked here: each contact
 * needs a well-formed id, since the answer is given per id; the rest of each item is checked on its
 * own (contactBatchItem) so one bad contact does not lose the others.
 */
export const contactBatchInput = z
  .object({
    contacts: z
      .array(z.looseObject({ id: z.uuid({ version: 'v7' }) }))
      .min(1)
      .max(maxBatchContacts)
      .refine((items) => new Set(items.map((c) => c.id)).size === items.length, 'a contact id appears twice'),
  })
  .strict();
export type ContactBatchInput = z.output<typeof contactBatchInput>;

/** The answer for one contact of a batch, in the order sent. */
export type ContactBatchResult = {
  id: string;
  status: 'accepted' | 'duplicate' | 'rejected';
  problem?: Problem;
};

export const contactIdParams = z.object({ id: z.uuid({ version: 'v7' }) }).strict();

export const listContactsQuery = z
  .object({
    ...pageQuery,
    outingId: z.uuid().optional(),
    personId: z.uuid().optional(),
  })
  .strict();
export type ListContactsQuery = z.output<typeof listContactsQuery>;

export type ContactView = {
  id: string;
  organisation: string;
  outingId: string;
  memberId: string;
  occurredAt: string;
  place: {
    area: string | null;
    latitude: number | null;
    longitude: number | null;
    description: string | null;
  };
  personId: string | null;
  anonymousDescription: string | null;
  beddedDown: boolean;
  livingSituation: string;
  services: Contact['services'];
  referrals: string[];
  firstContact: boolean;
  recordedAt: string;
  forgotten: boolean;
};

export function toContactView(c: Contact): ContactView {
  return {
    id: c.id,
    organisation: c.organisation,
    outingId: c.outingId,
    memberId: c.memberId,
    occurredAt: new Date(c.occurredAt).toISOString(),
    place: { area: c.area, latitude: c.latitude, longitude: c.longitude, description: c.placeDescription },
    personId: c.personId,
    anonymousDescription: c.anonymousDescription,
    beddedDown: c.beddedDown,
    livingSituation: c.livingSituation,
    services: c.services,
    referrals: c.referrals,
    firstContact: c.firstContact,
    recordedAt: new Date(c.recordedAt).toISOString(),
    forgotten: c.forgottenAt !== null,
  };
}
