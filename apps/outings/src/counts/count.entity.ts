import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { Opt } from '@mikro-orm/core';

export const countStatuses = ['pre-count', 'active', 'locked', 'archived'] as const;
export type CountStatus = (typeof countStatuses)[number];

/** A point-in-time count (racCONTAMI, summer and winter editions) over some of the city's areas. */
@Entity({ tableName: 'count_campaign' })
export class CountCampaign {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** e.g. `2026-winter`. */
  @Property({ type: 'text' })
  edition!: string;

  @Property({ type: 'date' })
  night!: string;

  @Property({ type: 'text' })
  status!: CountStatus;

  @Property({ type: 'text[]' })
  areas!: string[];

  /** Optimistic lock: the ETag of the record. */
  @Property({ version: true })
  version!: number & Opt;

  @Property({ type: 'text' })
  createdBy!: string;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}
