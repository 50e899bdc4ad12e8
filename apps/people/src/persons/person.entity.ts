import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { Opt } from '@mikro-orm/core';

export const nameQualities = ['full', 'partial', 'street-name', 'unknown', 'refused'] as const;
export type NameQuality = (typeof nameQualities)[number];
export const birthDateQualities = ['full', 'approximate', 'unknown', 'refused'] as const;
export type BirthDateQuality = (typeof birthDateQualities)[number];
export type Alias = { name: string; kind: 'alias' | 'street-name' };
export const restrictionReasons = ['violence', 'trafficking', 'anonymity-request', 'other-risk'] as const;
export type RestrictionReason = (typeof restrictionReasons)[number];

/**
 * One organisation's record of a person. Someone met but not identified is registered under a
 * code name and a description (HMIS: full data collection starts at engagement).
 */
@Entity({ tableName: 'person' })
export class Person {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  ownerOrganisation!: string;

  /** Optimistic lock: the ETag of the record. */
  @Property({ version: true })
  version!: number & Opt;

  @Property({ type: 'text', nullable: true })
  givenName: string | null = null;

  @Property({ type: 'text', nullable: true })
  familyName: string | null = null;

  @Property({ type: 'text' })
  nameQuality!: NameQuality;

  @Property({ type: 'text', nullable: true })
  codeName: string | null = null;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Property({ type: 'jsonb' })
  aliases: Alias[] & Opt = [];

  @Property({ type: 'date', nullable: true })
  birthDate: string | null = null;

  @Property({ type: 'text' })
  birthDateQuality!: BirthDateQuality;

  @Property({ type: 'integer', nullable: true })
  estimatedAge: number | null = null;

  /** When the age was estimated, so the age band stays right as years pass. */
  @Property({ type: 'date', nullable: true })
  estimatedAgeOn: string | null = null;

  /** Sex / gender as the person describes it, in their words. */
  @Property({ type: 'text', nullable: true })
  gender: string | null = null;

  /** ISO 3166-1 alpha-2, or XX when stateless or unknown. */
  @Property({ type: 'text', nullable: true })
  nationality: string | null = null;

  /** ISO 639 codes. */
  @Property({ type: 'jsonb' })
  languages: string[] & Opt = [];

  @Property({ type: 'text', nullable: true })
  usualArea: string | null = null;

  /** A person at special risk: hidden from search and candidates, readable only by the owner and `restrictedTo`. */
  @Property({ type: 'boolean' })
  restricted: boolean & Opt = false;

  @Property({ type: 'text[]' })
  restrictedTo: string[] & Opt = [];

  @Property({ type: 'text', nullable: true })
  restrictionReason: RestrictionReason | null = null;

  /** Lower-case, accent-free names and aliases: what search matches with trigrams. */
  @Property({ type: 'text' })
  searchText!: string;

  /** Matching columns (matching.schema.ts): folded names, blocking keys, birth year. */
  @Property({ type: 'text' })
  matchNames: string & Opt = '';

  @Property({ type: 'text[]' })
  matchKeys: string[] & Opt = [];

  @Property({ type: 'integer', nullable: true })
  birthYear: number | null = null;

  @Property({ type: 'text' })
  createdBy!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}
