import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { Opt } from '@mikro-orm/core';
import type { unitSpecialisations } from '#contracts';

export type Specialisation = (typeof unitSpecialisations)[number];

/** A partner's mobile unit (unità mobile): a team's vehicle and what it does in the street. */
@Entity({ tableName: 'unit' })
export class Unit {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  organisation!: string;

  /** Optimistic lock: the ETag of the record. */
  @Property({ version: true })
  version!: number & Opt;

  @Property({ type: 'text' })
  name!: string;

  /** A description of the vehicle (model, plate), or null for a unit on foot. */
  @Property({ type: 'text', nullable: true })
  vehicle: string | null = null;

  @Property({ type: 'text' })
  specialisation!: Specialisation;

  /** A retired unit stays, for the history of its outings, but plans no new one. */
  @Property({ type: 'boolean' })
  active: boolean & Opt = true;

  @Property({ type: 'text' })
  createdBy!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}
