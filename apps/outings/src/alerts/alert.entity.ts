import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { Opt } from '@mikro-orm/core';
import type { alertOutcomes, alertSources, alertUrgencies } from '#contracts';

export type AlertStatus = 'open' | 'assigned' | 'closed';
export type AlertSource = (typeof alertSources)[number];
export type AlertUrgency = (typeof alertUrgencies)[number];
export type AlertOutcome = (typeof alertOutcomes)[number];

/** Someone reported in need in the street (segnalazione), a unit sent, and how it ended. */
@Entity({ tableName: 'alert' })
export class Alert {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** The organisation that took the call. */
  @Property({ type: 'text' })
  organisation!: string;

  /** Optimistic lock: the ETag of the record. */
  @Property({ version: true })
  version!: number & Opt;

  @Property({ type: 'datetime' })
  receivedAt!: Date;

  @Property({ type: 'text' })
  source!: AlertSource;

  @Property({ type: 'text' })
  urgency!: AlertUrgency;

  @Property({ type: 'text', nullable: true })
  area: string | null = null;

  @Property({ type: 'double', nullable: true })
  latitude: number | null = null;

  @Property({ type: 'double', nullable: true })
  longitude: number | null = null;

  @Property({ type: 'text', nullable: true })
  placeDescription: string | null = null;

  /** What the caller said; never sent on the bus. */
  @Property({ type: 'text' })
  description!: string;

  @Property({ type: 'text' })
  status!: AlertStatus;

  @Property({ type: 'uuid', nullable: true })
  assignedUnitId: string | null = null;

  /** Set when the alert went to one of the night's outings rather than to a unit. */
  @Property({ type: 'uuid', nullable: true })
  assignedOutingId: string | null = null;

  @Property({ type: 'text', nullable: true })
  assignedOrganisation: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  assignedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  outcome: AlertOutcome | null = null;

  @Property({ type: 'datetime', nullable: true })
  closedAt: Date | null = null;

  @Property({ type: 'text' })
  createdBy!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}
