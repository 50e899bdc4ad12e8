import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { Opt } from '@mikro-orm/core';
import type { contactServices, livingSituations, referralTargets } from '#contracts';

export type ContactServices = Partial<Record<(typeof contactServices)[number], number>>;
export type LivingSituation = (typeof livingSituations)[number];
export type Referral = (typeof referralTargets)[number];

/**
 * A meeting in the street (contatto / aggancio) during an outing: with a person the organisation
 * knows (an id in the people service), or with someone who stays anonymous (a description).
 * Recorded once; a correction is a new contact.
 */
@Entity({ tableName: 'contact' })
export class Contact {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  organisation!: string;

  @Property({ type: 'uuid' })
  outingId!: string;

  /** The team member who met the person. */
  @Property({ type: 'uuid' })
  memberId!: string;

  @Property({ type: 'datetime' })
  occurredAt!: Date;

  @Property({ type: 'text', nullable: true })
  area: string | null = null;

  @Property({ type: 'double', nullable: true })
  latitude: number | null = null;

  @Property({ type: 'double', nullable: true })
  longitude: number | null = null;

  /** Where exactly, in the team's words ("under the arcade, platform side"). */
  @Property({ type: 'text', nullable: true })
  placeDescription: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  personId: string | null = null;

  /** How to recognise someone who gave no name; never sent on the bus. */
  @Property({ type: 'text', nullable: true })
  anonymousDescription: string | null = null;

  /** Settled for the night where they were met (CHAIN's "bedded down"). */
  @Property({ type: 'boolean' })
  beddedDown!: boolean;

  @Property({ type: 'text' })
  livingSituation!: LivingSituation;

  @Property({ type: 'jsonb' })
  services!: ContactServices;

  @Property({ type: 'text[]' })
  referrals!: Referral[];

  @Property({ type: 'boolean' })
  firstContact!: boolean;

  @Property({ type: 'text' })
  recordedBy!: string;

  @Property({ type: 'datetime' })
  recordedAt!: Date;

  /** Set when the person was erased in the people service: the link and descriptions are gone. */
  @Property({ type: 'datetime', nullable: true })
  forgottenAt: (Date & Opt) | null = null;
}
