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
import { ageBands, type Actor } from '#contracts';
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
import { arrayParameters, tenantSession } from '#persistence';
import { canRead } from '../access.js';
import { unknownAreas } from '../areas/area.queries.js';
import {
  everyCategory,
  sexes,
  toCampaignView,
  type AgeBand,
  type Breakdown,
  type CampaignInput,
  type CampaignView,
  type ListCampaignsQuery,
  type ResultsView,
  type Sex,
  type StatusInput,
  type TallyInput,
  type TallyView,
  type TeamInput,
  type TeamView,
} from './count.dto.js';
import { CountCampaign } from './count.entity.js';
import { nextStatusAllowed, smallCell, suppressSmallCategories, suppressSmallCells } from './count.rules.js';

const cursorSchema = z.object({ id: z.uuid() }).strict();

type TallyRow = {
  campaign_id: string;
  area: string;
  organisation: string;
  observed: number;
  interviewed: number;
  by_sex: Breakdown<Sex>;
  by_age_band: Breakdown<AgeBand>;
  bedded_down: number | null;
  version: number;
  recorded_at: Date;
};

type TeamRow = {
  id: string;
  campaign_id: string;
  organisation: string;
  name: string;
  volunteers: string[];
  areas: string[];
  version: number;
  updated_at: Date;
};

/** A count's teams are formed before its night and while it runs, not once it is locked. */
const teamsOpen = new Set(['pre-count', 'active']);

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
   * A team's tally for one area of an active count, recorded by the organisation whose team was sent
   * there; that organisation corrects it with If-Match until the count is locked.
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
        const same = existing && JSON.stringify(tallyFigures(existing)) === JSON.stringify(input);
        if (existing && existing.organisation === actor.organisation && same) {
          return { tally: tallyView(existing), created: false };
        }
        if (campaign.status !== 'active') throw new ConflictProblem(`The count is ${campaign.status}.`);
        const [team] = await em.execute<Array<{ organisation: string }>>(
          'select organisation from count_team_area where campaign_id = ? and area = ?',
          [id, area],
        );
        if (team?.organisation !== actor.organisation) {
          throw new ConflictProblem('No team of your organisation is sent to this area.');
        }
        const figures = [
          input.observed,
          input.interviewed,
          JSON.stringify(input.sex),
          JSON.stringify(input.ageBands),
          input.beddedDown,
        ];
        let row: TallyRow;
        if (!existing) {
          if (expectedVersion !== undefined) throw new NotFoundProblem('tally');
          [row] = await em.execute<TallyRow[]>(
            `insert into count_tally (campaign_id, area, organisation, observed, interviewed, by_sex, by_age_band,
                                      bedded_down, recorded_by, recorded_at)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning *`,
            [id, area, actor.organisation, ...figures, actor.userId, now],
          );
        } else {
          if (existing.organisation !== actor.organisation) throw anotherTeamsArea();
          if (expectedVersion === undefined) throw new PreconditionRequiredProblem();
          [row] = await em.execute<TallyRow[]>(
            `update count_tally set observed = ?, interviewed = ?, by_sex = ?, by_age_band = ?, bedded_down = ?,
                    version = version + 1, recorded_by = ?, recorded_at = ?
              where campaign_id = ? and area = ? and version = ? returning *`,
            [...figures, actor.userId, now, id, area, expectedVersion],
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

  /**
   * Forms a team of the caller's organisation for a count, or changes it with If-Match; the same team
   * sent again changes nothing. Each area goes to one team, and an area already counted stays with
   * the team that counted it.
   */
  async putTeam(
    actor: Actor,
    id: string,
    teamId: string,
    expectedVersion: number | undefined,
    input: TeamInput,
    now = new Date(),
  ): Promise<{ team: TeamView; created: boolean }> {
    try {
      return await this.inTenant(actor, async (em) => {
        const campaign = await em.findOne(CountCampaign, { id });
        if (!campaign) throw new NotFoundProblem('count');
        const outside = input.areas.flatMap((area, i) =>
          campaign.areas.includes(area)
            ? []
            : [{ field: `body.areas.${i}`, rule: 'not_in_count', message: 'not an area of this count' }],
        );
        if (outside.length > 0) throw new ValidationProblem(outside);
        const [existing] = await em.execute<TeamRow[]>('select * from count_team where id = ?', [teamId]);
        // Another count's team, or another organisation's: not one this caller may change.
        if (existing && (existing.campaign_id !== id || existing.organisation !== actor.organisation)) {
          throw new NotFoundProblem('team');
        }
        const same =
          existing &&
          existing.name === input.name &&
          existing.volunteers.join('\n') === input.volunteers.join('\n') &&
          existing.areas.join() === input.areas.join();
        if (same) return { team: teamView(actor, existing), created: false };
        if (!teamsOpen.has(campaign.status)) throw new ConflictProblem(`The count is ${campaign.status}.`);
        const [volunteers, areas] = arrayParameters([input.volunteers, input.areas]);
        let row: TeamRow;
        if (existing) {
          if (expectedVersion === undefined) throw new PreconditionRequiredProblem();
          const removed = existing.areas.filter((area) => !input.areas.includes(area));
          if (removed.length > 0) {
            const [counted] = await em.execute<Array<{ area: string }>>(
              'select area from count_tally where campaign_id = ? and area = any(?::text[]) limit 1',
              [id, arrayParameters([removed])[0]],
            );
            if (counted)
              throw new ConflictProblem(`Area ${counted.area} is counted: it stays with this team.`);
            await em.execute('delete from count_team_area where team_id = ? and area = any(?::text[])', [
              teamId,
              arrayParameters([removed])[0],
            ]);
          }
          [row] = await em.execute<TeamRow[]>(
            `update count_team set name = ?, volunteers = ?::text[], areas = ?::text[], version = version + 1,
                    updated_at = ?
              where id = ? and version = ? returning *`,
            [input.name, volunteers, areas, now, teamId, expectedVersion],
          );
          if (!row) throw new PreconditionFailedProblem();
        } else {
          if (expectedVersion !== undefined) throw new NotFoundProblem('team');
          [row] = await em.execute<TeamRow[]>(
            `insert into count_team (id, campaign_id, organisation, name, volunteers, areas, created_by, created_at,
                                     updated_at)
             values (?, ?, ?, ?, ?::text[], ?::text[], ?, ?, ?) returning *`,
            [teamId, id, actor.organisation, input.name, volunteers, areas, actor.userId, now, now],
          );
        }
        const added = input.areas.filter((area) => !existing?.areas.includes(area));
        if (added.length > 0) {
          await em.execute(
            `insert into count_team_area (campaign_id, area, team_id, organisation)
             select ?, area, ?, ? from unnest(?::text[]) as area`,
            [id, teamId, actor.organisation, arrayParameters([added])[0]],
          );
        }
        return { team: teamView(actor, row), created: !existing };
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new ConflictProblem('Another team is already sent to one of these areas.');
      }
      throw error;
    }
  }

  /** Who counts where: every team of a count, for everyone who reads counts. */
  async teams(actor: Actor, id: string): Promise<{ items: TeamView[] }> {
    if (!canRead(actor)) throw new NotFoundProblem('count');
    return this.inTenant(actor, async (em) => {
      const campaign = await em.findOne(CountCampaign, { id });
      if (!campaign) throw new NotFoundProblem('count');
      const rows = await em.execute<TeamRow[]>(
        'select * from count_team where campaign_id = ? order by organisation, name, id',
        [id],
      );
      return { items: rows.map((row) => teamView(actor, row)) };
    });
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
      // Every category in each area, also for tallies from before the breakdown ({ unknown: n }).
      const areas = full
        ? (
            await em.execute<NonNullable<ResultsView['areas']>>(
              `select t.area, a.district, t.organisation, t.observed, t.interviewed,
                    t.by_sex as "sex", t.by_age_band as "ageBands", t.bedded_down as "beddedDown"
               from count_tally t join area a on a.code = t.area
              where t.campaign_id = ? order by a.district, t.area`,
              [id],
            )
          ).map((a) => ({
            ...a,
            sex: everyCategory(sexes, a.sex),
            ageBands: everyCategory(ageBands, a.ageBands),
          }))
        : null;
      const shown = full ? cells.map((c) => ({ ...c, suppressed: false })) : suppressSmallCells(cells);
      const breakdown = breakdownOf(
        await em.execute<Array<{ dimension: string; category: string; people: string | null }>>(
          'select * from count_breakdown(?)',
          [id],
        ),
      );
      return {
        campaignId: id,
        edition: campaign.edition,
        night: campaign.night,
        status: campaign.status,
        total,
        breakdown: full
          ? breakdown
          : {
              sex: suppressSmallCategories(breakdown.sex),
              ageBands: suppressSmallCategories(breakdown.ageBands),
              beddedDown: {
                ...breakdown.beddedDown,
                people: isSmall(breakdown.beddedDown.people) ? null : breakdown.beddedDown.people,
              },
            },
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
    ...tallyFigures(row),
    version: row.version,
    recordedAt: new Date(row.recorded_at).toISOString(),
  };
}

/** A stored tally's figures in the shape of its input, categories in the input's order. */
function tallyFigures(row: TallyRow): TallyInput {
  return {
    observed: row.observed,
    interviewed: row.interviewed,
    sex: everyCategory(sexes, row.by_sex),
    ageBands: everyCategory(ageBands, row.by_age_band),
    beddedDown: row.bedded_down,
  };
}

const isSmall = (people: number) => people > 0 && people < smallCell;

function breakdownOf(rows: Array<{ dimension: string; category: string; people: string | null }>): {
  sex: Breakdown<Sex>;
  ageBands: Breakdown<AgeBand>;
  beddedDown: { people: number; areasNotRecorded: number };
} {
  const of = (dimension: string) =>
    Object.fromEntries(
      rows.filter((r) => r.dimension === dimension).map((r) => [r.category, Number(r.people ?? 0)]),
    );
  const beddedDown = of('bedded-down');
  return {
    sex: everyCategory(sexes, of('sex')),
    ageBands: everyCategory(ageBands, of('age')),
    beddedDown: { people: beddedDown.recorded ?? 0, areasNotRecorded: beddedDown['areas-not-recorded'] ?? 0 },
  };
}

function teamView(actor: Actor, row: TeamRow): TeamView {
  const namesShown = row.organisation === actor.organisation || actor.roles.includes('lead');
  return {
    id: row.id,
    campaignId: row.campaign_id,
    organisation: row.organisation,
    name: row.name,
    volunteers: namesShown ? row.volunteers : null,
    volunteerCount: row.volunteers.length,
    areas: row.areas,
    version: row.version,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
