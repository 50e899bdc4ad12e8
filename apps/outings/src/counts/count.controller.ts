import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '#contracts';
import { CurrentActor, Roles } from '#auth';
import { etagOf, Input, versionFromIfMatch, type Page } from '#http';
import {
  campaignIdParams,
  campaignInput,
  listCampaignsQuery,
  statusInput,
  tallyInput,
  tallyParams,
  teamInput,
  teamParams,
  type CampaignInput,
  type CampaignView,
  type ListCampaignsQuery,
  type ResultsView,
  type StatusInput,
  type TallyInput,
  type TallyView,
  type TeamInput,
  type TeamView,
} from './count.dto.js';
import { CountService } from './count.service.js';

@ApiTags('counts')
@Controller('outings/counts')
export class CountController {
  constructor(private readonly counts: CountService) {}

  /** The lead body prepares a count (racCONTAMI) under a client-chosen id. */
  @Put(':id')
  @Roles('lead')
  @Input({ params: campaignIdParams, body: campaignInput })
  async prepare(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() input: CampaignInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CampaignView> {
    const { campaign, created } = await this.counts.prepare(actor, id, input);
    void reply.status(created ? 201 : 200).header('etag', etagOf(campaign.version));
    if (created) void reply.header('location', `/outings/counts/${campaign.id}`);
    return campaign;
  }

  @Post(':id/status')
  @HttpCode(200)
  @Roles('lead')
  @Input({ params: campaignIdParams, body: statusInput })
  async changeStatus(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() input: StatusInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CampaignView> {
    const campaign = await this.counts.changeStatus(actor, id, versionFromIfMatch(ifMatch), input);
    void reply.header('etag', etagOf(campaign.version));
    return campaign;
  }

  /** A team of the caller's organisation, sent to some of the count's areas; changes need If-Match. */
  @Put(':id/teams/:teamId')
  @Roles('coordinator', 'lead')
  @Input({ params: teamParams, body: teamInput })
  async putTeam(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('teamId') teamId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() input: TeamInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TeamView> {
    const expected = ifMatch === undefined ? undefined : versionFromIfMatch(ifMatch);
    const { team, created } = await this.counts.putTeam(actor, id, teamId, expected, input);
    void reply.status(created ? 201 : 200).header('etag', etagOf(team.version));
    return team;
  }

  /** Who counts where tonight: the count's teams and their areas. */
  @Get(':id/teams')
  @Roles('operator', 'coordinator', 'hub', 'lead', 'auditor')
  @Input({ params: campaignIdParams })
  teams(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<{ items: TeamView[] }> {
    return this.counts.teams(actor, id);
  }

  /** A team's tally for one area; corrections need If-Match. */
  @Put(':id/tallies/:area')
  @Roles('operator', 'coordinator', 'lead')
  @Input({ params: tallyParams, body: tallyInput })
  async recordTally(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('area') area: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() input: TallyInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TallyView> {
    const expected = ifMatch === undefined ? undefined : versionFromIfMatch(ifMatch);
    const { tally, created } = await this.counts.recordTally(actor, id, area, expected, input);
    void reply.status(created ? 201 : 200).header('etag', etagOf(tally.version));
    return tally;
  }

  @Get(':id/results')
  @Roles('operator', 'coordinator', 'hub', 'lead', 'auditor')
  @Input({ params: campaignIdParams })
  results(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<ResultsView> {
    return this.counts.results(actor, id);
  }

  @Get(':id')
  @Roles('operator', 'coordinator', 'hub', 'lead', 'auditor')
  @Input({ params: campaignIdParams })
  async get(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CampaignView> {
    const campaign = await this.counts.get(actor, id);
    void reply.header('etag', etagOf(campaign.version));
    return campaign;
  }

  @Get()
  @Roles('operator', 'coordinator', 'hub', 'lead', 'auditor')
  @Input({ query: listCampaignsQuery })
  list(@CurrentActor() actor: Actor, @Query() query: ListCampaignsQuery): Promise<Page<CampaignView>> {
    return this.counts.list(actor, query);
  }
}
