import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { consentShares } from '#contracts';

export { consentShares };
export const consentScopes = ['organisations', 'network'] as const;
export type ConsentScope = (typeof consentScopes)[number];
export type ConsentShares = (typeof consentShares)[number];
export const lawfulBases = [
  'consent',
  'vital-interests',
  'public-task',
  'legal-obligation',
  'legitimate-interests',
] as const;
export const consentPurposes = [
  'case-coordination',
  'shelter-referral',
  'residence-request',
  'health-referral',
  'service-planning',
] as const;
export const evidenceKinds = [
  'signed-form',
  'verbal-witnessed',
  'digital-signature',
  'recorded-by-operator',
] as const;
export type ConsentEvidence = {
  kind: (typeof evidenceKinds)[number];
  reference: string | null;
  witnessedBy: string | null;
};

/** A person's consent to share their record, as data: scope, purpose, basis, evidence, expiry. */
@Entity({ tableName: 'consent' })
@Index({ properties: ['personId'] })
export class Consent {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  personId!: string;

  /** Denormalised from the person so row-level security needs no join. */
  @Property({ type: 'text' })
  ownerOrganisation!: string;

  @Property({ type: 'text' })
  scope!: ConsentScope;

  @Property({ type: 'text[]' })
  organisations!: string[];

  /** The whole record, or only the network card (architecture.md §5). */
  @Property({ type: 'text' })
  shares: ConsentShares = 'record';

  @Property({ type: 'text' })
  purpose!: (typeof consentPurposes)[number];

  @Property({ type: 'text' })
  lawfulBasis!: (typeof lawfulBases)[number];

  @Property({ type: 'jsonb' })
  evidence!: ConsentEvidence;

  @Property({ type: 'datetime' })
  givenAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  revokedBy: string | null = null;

  @Property({ type: 'text', nullable: true })
  revocationReason: string | null = null;

  @Property({ type: 'text' })
  recordedBy!: string;

  @Property({ type: 'datetime' })
  recordedAt!: Date;
}
