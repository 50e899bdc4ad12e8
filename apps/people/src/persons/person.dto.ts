import { z } from 'zod';
import { ageBands, organisationAlias } from '#contracts';
import { pageQuery } from '#http';
import {
  birthDateQualities,
  nameQualities,
  needCategories,
  restrictionReasons,
  type Person,
} from './person.entity.js';
import type { Access } from './person.policy.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const earliestBirthDate = '1900-01-01';

/** Registration and full replacement share one shape: what an organisation records about a person. */
export const personInput = z
  .object({
    givenName: text(100).nullable().default(null),
    familyName: text(100).nullable().default(null),
    nameQuality: z.enum(nameQualities),
    codeName: text(60).nullable().default(null),
    description: text(500).nullable().default(null),
    aliases: z
      .array(z.object({ name: text(100), kind: z.enum(['alias', 'street-name']) }).strict())
      .max(20)
      .default([]),
    birthDate: z.iso.date().nullable().default(null),
    birthDateQuality: z.enum(birthDateQualities),
    estimatedAge: z.number().int().min(0).max(120).nullable().default(null),
    gender: text(64).nullable().default(null),
    nationality: z
      .string()
      .regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 code, XX when stateless or unknown')
      .nullable()
      .default(null),
    languages: z
      .array(z.string().regex(/^[a-z]{2,3}$/, 'ISO 639 code'))
      .max(10)
      .default([]),
    usualArea: text(64).nullable().default(null),
    /** Special categories: sealed with the person's key like the identity fields, never on the bus. */
    needs: z
      .array(
        z.object({ category: z.enum(needCategories), note: text(500).nullable().default(null) }).strict(),
      )
      .max(20)
      .default([]),
  })
  .strict()
  .superRefine((p, ctx) => {
    const named = p.givenName !== null || p.familyName !== null;
    if (['full', 'partial'].includes(p.nameQuality) && !named) {
      ctx.addIssue({
        code: 'custom',
        path: ['givenName'],
        message: `a ${p.nameQuality} name needs a given or family name`,
      });
    }
    if (p.nameQuality === 'street-name' && !p.aliases.some((a) => a.kind === 'street-name') && !named) {
      ctx.addIssue({
        code: 'custom',
        path: ['aliases'],
        message: 'a street name needs an alias of kind street-name',
      });
    }
    if (!named && p.aliases.length === 0 && (p.codeName === null || p.description === null)) {
      // Someone met but not identified is still findable: a code name and how to recognise them.
      ctx.addIssue({
        code: 'custom',
        path: ['codeName'],
        message: 'without a name, give a code name and a description',
      });
    }
    if (['full', 'approximate'].includes(p.birthDateQuality) && p.birthDate === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['birthDate'],
        message: `birth date quality ${p.birthDateQuality} needs a birth date`,
      });
    }
    if (p.birthDate !== null) {
      const today = new Date().toISOString().slice(0, 10);
      if (p.birthDate > today || p.birthDate < earliestBirthDate) {
        ctx.addIssue({
          code: 'custom',
          path: ['birthDate'],
          message: `must be between ${earliestBirthDate} and today`,
        });
      }
      if (p.estimatedAge !== null) {
        ctx.addIssue({
          code: 'custom',
          path: ['estimatedAge'],
          message: 'give a birth date or an estimated age, not both',
        });
      }
    }
  });
export type PersonInput = z.output<typeof personInput>;

/** Marking a person at special risk, or lifting it. */
export const restrictionInput = z
  .object({
    restricted: z.boolean(),
    reason: z.enum(restrictionReasons).nullable().default(null),
    /** Organisations (partners, the hub) the owner explicitly allows to read the record. */
    organisations: z.array(organisationAlias).max(32).default([]),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.restricted && r.reason === null) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'say why the person is at risk' });
    }
    if (!r.restricted && (r.reason !== null || r.organisations.length > 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['restricted'],
        message: 'lifting a restriction takes no reason or organisations',
      });
    }
  });
export type RestrictionInput = z.output<typeof restrictionInput>;

export const personIdParams = z.object({ id: z.uuid({ version: 'v7' }) }).strict();

export const listPersonsQuery = z
  .object({
    ...pageQuery,
    /** Name or alias; tolerant of typos and accents. */
    q: z.string().trim().min(2).max(100).optional(),
  })
  .strict();
export type ListPersonsQuery = z.output<typeof listPersonsQuery>;

export type PersonView = {
  id: string;
  ownerOrganisation: string;
  version: number;
  access: Access['basis'];
  givenName: string | null;
  familyName: string | null;
  nameQuality: string;
  codeName: string | null;
  description: string | null;
  aliases: Person['aliases'];
  birthDate: string | null;
  birthDateQuality: string;
  estimatedAge: number | null;
  estimatedAgeOn: string | null;
  gender: string | null;
  nationality: string | null;
  languages: string[];
  usualArea: string | null;
  needs: Person['needs'];
  restricted: boolean;
  /** Only the owner sees why and with whom a restricted record is shared. */
  restriction: { reason: string | null; organisations: string[] } | null;
  /** Only the owner sees why the law keeps the record (erasure refused meanwhile). */
  erasureHold: string | null;
  createdAt: string;
  updatedAt: string;
};

export function toPersonView(p: Person, access: Access): PersonView {
  return {
    id: p.id,
    ownerOrganisation: p.ownerOrganisation,
    version: p.version,
    access: access.basis,
    givenName: p.givenName,
    familyName: p.familyName,
    nameQuality: p.nameQuality,
    codeName: p.codeName,
    description: p.description,
    aliases: p.aliases,
    birthDate: p.birthDate,
    birthDateQuality: p.birthDateQuality,
    estimatedAge: p.estimatedAge,
    estimatedAgeOn: p.estimatedAgeOn,
    gender: p.gender,
    nationality: p.nationality,
    languages: p.languages,
    usualArea: p.usualArea,
    needs: p.needs,
    restricted: p.restricted,
    restriction:
      p.restricted && access.basis === 'owner'
        ? { reason: p.restrictionReason, organisations: p.restrictedTo }
        : null,
    erasureHold: access.basis === 'owner' ? p.erasureHold : null,
    createdAt: new Date(p.createdAt).toISOString(),
    updatedAt: new Date(p.updatedAt).toISOString(),
  };
}

/** Lower-case, accents and punctuation removed: "Nicolò D'Angelo" and "nicolo dangelo" match. */
export function normaliseForSearch(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function searchTextOf(
  p: Pick<PersonInput, 'givenName' | 'familyName' | 'codeName' | 'aliases'>,
): string {
  return normaliseForSearch(
    [p.givenName, p.familyName, p.codeName, ...p.aliases.map((a) => a.name)].filter(Boolean).join(' '),
  );
}

/** The aliases and street names as the network card shows them: folded, as search matches them. */
export function cardAliasesOf(aliases: ReadonlyArray<{ name: string }>): string[] {
  return aliases.map((a) => normaliseForSearch(a.name)).filter((a) => a.length > 0);
}

export function ageBandOf(
  p: { birthDate: string | null; estimatedAge: number | null; estimatedAgeOn: string | null },
  today: Date,
): (typeof ageBands)[number] {
  let age: number | null = null;
  if (p.birthDate) {
    const birth = new Date(`${p.birthDate}T00:00:00Z`);
    age = today.getUTCFullYear() - birth.getUTCFullYear();
    const beforeBirthday =
      today.getUTCMonth() < birth.getUTCMonth() ||
      (today.getUTCMonth() === birth.getUTCMonth() && today.getUTCDate() < birth.getUTCDate());
    if (beforeBirthday) age -= 1;
  } else if (p.estimatedAge !== null) {
    const years = p.estimatedAgeOn ? today.getUTCFullYear() - Number(p.estimatedAgeOn.slice(0, 4)) : 0;
    age = p.estimatedAge + years;
  }
  return bandOf(age);
}

/**
 * The age band from the birth year alone (the network card: the birth date is sealed): the age the
 * person reaches this year.
 */
export function ageBandOfYear(birthYear: number | null, today: Date): (typeof ageBands)[number] {
  return bandOf(birthYear === null ? null : today.getUTCFullYear() - birthYear);
}

function bandOf(age: number | null): (typeof ageBands)[number] {
  if (age === null) return 'unknown';
  if (age < 18) return '0-17';
  if (age < 25) return '18-24';
  if (age < 35) return '25-34';
  if (age < 45) return '35-44';
  if (age < 55) return '45-54';
  if (age < 65) return '55-64';
  return '65+';
}
