import { Injectable } from '@nestjs/common';
import {
  MikroORM,
  OptimisticLockError,
  UniqueConstraintViolationException,
  type EntityManager,
  type FilterQuery,
} from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Actor } from '#contracts';
import {
  ConflictProblem,
  decodeCursor,
  encodeCursor,
  NotFoundProblem,
  PreconditionFailedProblem,
  PreconditionRequiredProblem,
  ValidationProblem,
  type Page,
} from '#http';
import { EventLog } from '#messaging';
import { tenantSession } from '#persistence';
import { canRead } from '../access.js';
import { unknownAreas } from '../areas/area.queries.js';
import {
  toCampaignView,
  type CampaignInput,
  type CampaignView,
  type ListCampaignsQuery,
  type ResultsView,
  type StatusInput,
  type TallyInput,
  type TallyView,
} from './count.dto.js';
import { CountCampaign } from './count.entity.js';
import { nextStatusAllowed, suppressSmallCells } from './count.rules.js';

const cursorSchema = z.object({ id: z.uuid() }).strict();

type TallyRow = {
  campaign_id: string;
  area: string;
  organisation: string;
  observed: number;
  interviewed: number;
  version: number;
  recorded_at: Date;
};

/** Who reads every tally row; everyone else gets the results by Municipio, small cells hidden. */
function readsTallies(actor: Actor): boolean {
  return actor.roles.some((role) => role === 'lead' || role === 'hub' || role === 'auditor');
}

@Injectable()
export class CountService {
  constructor(
    private readonly orm: MikroORM,
    private readonly events: EventLog,
  ) {}

  /** One transaction with the actor's tenant settings, so row-level security applies. */
  private inTenant<T>(actor: Actor, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.orm.em.fork({ session: tenantSession(actor) }).transactional(work);
  }

  /** The lead body prepares a count under a client-chosen id; the same request again changes nothing. */
  async prepare(
    actor: Actor,
    id: string,
    input: CampaignInput,
    now = new Date(),
  ): Promise<{ campaign: CampaignView; created: boolean }> {
    try {
      return await this.inTenant(actor, async (em) => {
        const existing = await em.findOne(CountCampaign, { id });
        if (existing) {
          const same =
            existing.edition === input.edition &&
            existing.night === input.night &&
            existing.areas.join() === input.areas.join();
          if (!same) throw new ConflictProblem('This count was prepared with other details.');
          return { campaign: toCampaignView(existing), created: false };
        }
        const errors = await unknownAreas(em, input.areas, 'body.areas');
        if (errors.length > 0) throw new ValidationProblem(errors);
        const campaign = em.create(CountCampaign, {
          id,
          ...input,
          status: 'pre-count',
          createdBy: actor.userId,
          createdAt: now,
          updatedAt: now,
        });
        await em.flush();
        return { campaign: toCampaignView(campaign), created: true };
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new ConflictProblem('There is already a count of this edition.');
      }
      throw error;
    }
  }

  /** Opens the count on its night, locks its tallies for results, archives it. Forward only. */
  async changeStatus(
    actor: Actor,
    id: string,
    expectedVersion: number,
    input: StatusInput,
    now = new Date(),
  ): Promise<CampaignView> {
    try {
      return await this.inTenant(actor, async (em) => {
        const campaign = await em.findOne(CountCampaign, { id });
        if (!campaign) throw new NotFoundProblem('count');
        if (campaign.status === input.status) return toCampaignView(campaign);
        if (campaign.version !== expectedVersion) throw new PreconditionFailedProblem();
        if (!nextStatusAllowed(campaign.status, input.status)) {
          throw new ConflictProblem(`A ${campaign.status} count cannot become ${input.status}.`);
        }
        campaign.status = input.status;
        campaign.updatedAt = now;
        await em.flush();
        if (input.status === 'locked') {
          const [total] = await em.execute<Array<{ observed: number; interviewed: number; areas: number }>>(
            `select coalesce(sum(observed), 0)::int as observed, coalesce(sum(interviewed), 0)::int as interviewed,
                    count(*)::int as areas
               from count_tally where campaign_id = ?`,
            [id],
          );
          await this.events.append(
            em,
            [
              {
                subject: 'accanto.outings.count-locked.v1',
                organisation: actor.organisation,
                actor,
                correlationId: uuidv7(),
                subjects: { campaignId: id },
                payload: {
                  campaignId: id,
                  edition: campaign.edition,
                  night: campaign.night,
                  areasCounted: total.areas,
                  observed: total.observed,
                  interviewed: total.interviewed,
                },
              },
            ],
            now,
          );
        }
        return toCampaignView(campaign);
      });
    } catch (error) {
      if (error instanceof OptimisticLockError) throw new PreconditionFailedProblem();
      throw error;
    }
  }

  /**
   * A team's tally for one area of an active count. The first one for an area is its organisation's;
   * that organisation corrects it with If-Match until the count is locked.
   */
  async recordTally(
    actor: Actor,
    id: string,
    area: string,
    expectedVersion: number | undefined,
    input: TallyInput,
    now = new Date(),
  ): Promise<{ tally: TallyView; created: boolean }> {
    try {
      return await this.inTenant(actor, async (em) => {
        const campaign = await em.findOne(CountCampaign, { id });
        if (!campaign) throw new NotFoundProblem('count');
        if (!campaign.areas.includes(area)) {
          throw new ValidationProblem([
            { field: 'params.area', rule: 'not_in_count', message: 'not an area of this count' },
          ]);
        }
        const [existing] = await em.execute<TallyRow[]>(
          'select * from count_tally where campaign_id = ? and area = ?',
          [id, area],
        );
        const same =
          existing && existing.observed === input.observed && existing.interviewed === input.interviewed;
        if (existing && existing.organisation === actor.organisation && same) {
          return { tally: tallyView(existing), created: false };
        }
        if (campaign.status !== 'active') throw new ConflictProblem(`The count is ${campaign.status}.`);
        let row: TallyRow;
        if (!existing) {
          if (expectedVersion !== undefined) throw new NotFoundProblem('tally');
          [row] = await em.execute<TallyRow[]>(
            `insert into count_tally (campaign_id, area, organisation, observed, interviewed, recorded_by, recorded_at)
             values (?, ?, ?, ?, ?, ?, ?) returning *`,
            [id, area, actor.organisation, input.observed, input.interviewed, actor.userId, now],
          );
        } else {
          if (existing.organisation !== actor.organisation) throw anotherTeamsArea();
          if (expectedVersion === undefined) throw new PreconditionRequiredProblem();
          [row] = await em.execute<TallyRow[]>(
            `update count_tally set observed = ?, interviewed = ?, version = version + 1, recorded_by = ?, recorded_at = ?
              where campaign_id = ? and area = ? and version = ? returning *`,
            [input.observed, input.interviewed, actor.userId, now, id, area, expectedVersion],
          );
          if (!row) throw new PreconditionFailedProblem();
        }
        await this.events.append(
          em,
          [
            {
              subject: 'accanto.outings.count-tally-recorded.v1',
              organisation: actor.organisation,
              actor,
              correlationId: uuidv7(),
              subjects: { campaignId: id },
              payload: { campaignId: id, area, observed: input.observed, interviewed: input.interviewed },
            },
          ],
          now,
        );
        return { tally: tallyView(row), created: !existing };
      });
    } catch (error) {
      // Another organisation counted the area first (its row is not visible to this actor).
      if (error instanceof UniqueConstraintViolationException) throw anotherTeamsArea();
      throw error;
    }
  }

  async get(actor: Actor, id: string): Promise<CampaignView> {
    if (!canRead(actor)) throw new NotFoundProblem('count');
    return this.inTenant(actor, async (em) => {
      const campaign = await em.findOne(CountCampaign, { id });
      if (!campaign) throw new NotFoundProblem('count');
      return toCampaignView(campaign);
    });
  }

  async list(actor: Actor, query: ListCampaignsQuery): Promise<Page<CampaignView>> {
    if (!canRead(actor)) return { items: [], next: null };
    const cursor = decodeCursor(query.cursor, cursorSchema);
    const where: FilterQuery<CountCampaign> = {
      ...(query.status ? { status: query.status } : {}),
      ...(cursor ? { id: { $gt: cursor.id } } : {}),
    };
    return this.inTenant(actor, async (em) => {
      const rows = await em.find(CountCampaign, where, { orderBy: { id: 'asc' }, limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const next = rows.length > query.limit ? encodeCursor({ id: page.at(-1)!.id }) : null;
      return { items: page.map(toCampaignView), next };
    });
  }

  /** The results so far (final once locked): per area for the lead, hub and auditors; by Municipio for partners. */
  async results(actor: Actor, id: string): Promise<ResultsView> {
    if (!canRead(actor)) throw new NotFoundProblem('count');
    return this.inTenant(actor, async (em) => {
      const campaign = await em.findOne(CountCampaign, { id });
      if (!campaign) throw new NotFoundProblem('count');
      const districts = await em.execute<
        Array<{ district: number; observed: string; interviewed: string; areas: string }>
      >('select * from count_district_totals(?)', [id]);
      const cells = districts.map((d) => ({
        key: d.district,
        observed: Number(d.observed),
        interviewed: Number(d.interviewed),
      }));
      const total = {
        observed: cells.reduce((sum, c) => sum + c.observed, 0),
        interviewed: cells.reduce((sum, c) => sum + c.interviewed, 0),
        areasCounted: districts.reduce((sum, d) => sum + Number(d.areas), 0),
      };
      const full = readsTallies(actor);
      const areas = full
        ? await em.execute<NonNullable<ResultsView['areas']>>(
            `select t.area, a.district, t.organisation, t.observed, t.interviewed
               from count_tally t join area a on a.code = t.area
              where t.campaign_id = ? order by a.district, t.area`,
            [id],
          )
        : null;
      const shown = full ? cells.map((c) => ({ ...c, suppressed: false })) : suppressSmallCells(cells);
      return {
        campaignId: id,
        edition: campaign.edition,
        night: campaign.night,
        status: campaign.status,
        total,
        districts: shown.map(({ key, observed, interviewed, suppressed }) => ({
          district: key,
          observed,
          interviewed,
          suppressed,
        })),
        areas,
      };
    });
  }
}

function anotherTeamsArea(): ConflictProblem {
  return new ConflictProblem('Another organisation has counted this area.');
}

function tallyView(row: TallyRow): TallyView {
  return {
    campaignId: row.campaign_id,
    area: row.area,
    organisation: row.organisation,
    observed: row.observed,
    interviewed: row.interviewed,
    version: row.version,
    recordedAt: new Date(row.recorded_at).toISOString(),
  };
}
