import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { Opt } from '@mikro-orm/core';

export const nameQualities = ['full', 'partial', 'street-name', 'unknown', 'refused'] as const;
export type NameQuality = (typeof nameQualities)[number];
export const birthDateQualities = ['full', 'approximate', 'unknown', 'refused'] as const;
export type BirthDateQuality = (typeof birthDateQualities)[number];
export type Alias = { name: string; kind: 'alias' | 'street-name' };
export const restrictionReasons = ['violence', 'trafficking', 'anonymity-request', 'other-risk'] as const;
export type RestrictionReason = (typeof restrictionReasons)[number];
/** Special categories (GDPR art. 9) and vulnerabilities the street teams record. */
export const needCategories = [
  'health',
  'mental-health',
  'disability',
  'addiction',
  'pregnancy',
  'violence',
  'other',
] as const;
export type Need = { category: (typeof needCategories)[number]; note: string | null };
/** Why a record must be kept despite an erasure request (GDPR art. 17(3)); docs/adr/0009. */
export const erasureHoldReasons = [
  'public-task',
  'legal-obligation',
  'safeguarding',
  'legal-claims',
] as const;
export type ErasureHoldReason = (typeof erasureHoldReasons)[number];
/** Why a person was forgotten: their own request, or an order of the supervisory authority or a court. */
export const erasureBases = ['person-request', 'supervisory-order', 'court-order'] as const;

/** What is sealed with the person's data key: identity fields and special categories (person-vault.ts). */
export const sealedFields = [
  'givenName',
  'familyName',
  'codeName',
  'description',
  'aliases',
  'birthDate',
  'gender',
  'needs',
] as const;
export type SealedData = {
  givenName: string | null;
  familyName: string | null;
  codeName: string | null;
  description: string | null;
  aliases: Alias[];
  birthDate: string | null;
  gender: string | null;
  needs: Need[];
};

/**
 * One organisation's record of a person. Someone met but not identified is registered under a
 * code name and a description (HMIS: full data collection starts at engagement).
 *
 * The identity fields and needs are not columns: they live in `sealed`, encrypted with the person's
 * data key, and PersonService opens them after loading (`persist: false` keeps them out of SQL).
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

  @Property({ type: 'text', nullable: true, persist: false })
  givenName: string | null = null;

  @Property({ type: 'text', nullable: true, persist: false })
  familyName: string | null = null;

  @Property({ type: 'text' })
  nameQuality!: NameQuality;

  @Property({ type: 'text', nullable: true, persist: false })
  codeName: string | null = null;

  @Property({ type: 'text', nullable: true, persist: false })
  description: string | null = null;

  @Property({ type: 'json', persist: false })
  aliases: Alias[] & Opt = [];

  @Property({ type: 'text', nullable: true, persist: false })
  birthDate: string | null = null;

  @Property({ type: 'text' })
  birthDateQuality!: BirthDateQuality;

  @Property({ type: 'integer', nullable: true })
  estimatedAge: number | null = null;

  /** When the age was estimated, so the age band stays right as years pass. */
  @Property({ type: 'date', nullable: true })
  estimatedAgeOn: string | null = null;

  /** Sex / gender as the person describes it, in their words. */
  @Property({ type: 'text', nullable: true, persist: false })
  gender: string | null = null;

  /** ISO 3166-1 alpha-2, or XX when stateless or unknown. */
  @Property({ type: 'text', nullable: true })
  nationality: string | null = null;

  /** ISO 639 codes. */
  @Property({ type: 'jsonb' })
  languages: string[] & Opt = [];

  @Property({ type: 'text', nullable: true })
  usualArea: string | null = null;

  @Property({ type: 'json', persist: false })
  needs: Need[] & Opt = [];

  /** The sealed fields, AES-256-GCM under the person's data key; unreadable once the key is destroyed. */
  @Property({ type: 'text' })
  sealed!: string;

  /** Erasure (docs/adr/0009): the data key is gone; the row stays for counts and audits. */
  @Property({ type: 'datetime', nullable: true })
  forgottenAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  erasureBasis: (typeof erasureBases)[number] | null = null;

  /** Set while the law requires the record to be kept: erasure is refused with the reason. */
  @Property({ type: 'text', nullable: true })
  erasureHold: ErasureHoldReason | null = null;

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

  /** Lower-case, accent-free aliases and street names: the network card shows and searches these. */
  @Property({ type: 'text[]' })
  cardAliases: string[] & Opt = [];

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
