import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { Opt } from '@mikro-orm/core';
import type { supplyItems } from '#contracts';

export const outingStatuses = ['planned', 'under-way', 'completed', 'cancelled'] as const;
export type OutingStatus = (typeof outingStatuses)[number];
export const cancellationReasons = ['weather', 'vehicle', 'staff', 'other'] as const;
export type CancellationReason = (typeof cancellationReasons)[number];

/** A member of the team: an opaque id (never a name), their organisation, and whether a volunteer. */
export type TeamMember = { memberId: string; organisation: string; volunteer: boolean };
export type Supplies = Partial<Record<(typeof supplyItems)[number], number>>;

/** One unit's shift on one night (uscita). */
@Entity({ tableName: 'outing' })
export class Outing {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** The unit's organisation: owner of the outing. */
  @Property({ type: 'text' })
  organisation!: string;

  @Property({ type: 'uuid' })
  unitId!: string;

  /** Optimistic lock: the ETag of the record. */
  @Property({ version: true })
  version!: number & Opt;

  /** The evening the shift belongs to, in Milan, even when it runs past midnight. */
  @Property({ type: 'date' })
  night!: string;

  @Property({ type: 'text' })
  status!: OutingStatus;

  @Property({ type: 'datetime' })
  plannedStart!: Date;

  @Property({ type: 'datetime' })
  plannedEnd!: Date;

  @Property({ type: 'jsonb' })
  team!: TeamMember[];

  @Property({ type: 'text[]' })
  areasPlanned!: string[];

  @Property({ type: 'text[]' })
  areasCovered: string[] & Opt = [];

  @Property({ type: 'jsonb' })
  suppliesLoaded!: Supplies;

  @Property({ type: 'jsonb', nullable: true })
  suppliesLeft: Supplies | null = null;

  @Property({ type: 'datetime', nullable: true })
  startedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  endedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  cancellationReason: CancellationReason | null = null;

  @Property({ type: 'text' })
  createdBy!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}
