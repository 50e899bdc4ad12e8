import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '#contracts';
import { CurrentActor, Roles } from '#auth';
import { etagOf, Input, versionFromIfMatch, type Page } from '#http';
import {
  cancelInput,
  completeInput,
  listOutingsQuery,
  outingIdParams,
  planInput,
  startInput,
  type CancelInput,
  type CompleteInput,
  type ListOutingsQuery,
  type OutingView,
  type PlanInput,
  type StartInput,
} from './outing.dto.js';
import { OutingService } from './outing.service.js';

@ApiTags('outings')
@Controller('outings')
export class OutingController {
  constructor(private readonly outings: OutingService) {}

  /** Plan with a client-chosen id, or change the plan with If-Match until the unit goes out. */
  @Put('outings/:id')
  @Roles('operator', 'coordinator')
  @Input({ params: outingIdParams, body: planInput })
  async plan(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() input: PlanInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OutingView> {
    const expected = ifMatch === undefined ? undefined : versionFromIfMatch(ifMatch);
    const { outing, created } = await this.outings.plan(actor, id, expected, input);
    void reply.status(created ? 201 : 200);
    if (created) void reply.header('location', `/outings/outings/${outing.id}`);
    return withEtag(reply, outing);
  }

  @Post('outings/:id/start')
  @HttpCode(200)
  @Roles('operator', 'coordinator')
  @Input({ params: outingIdParams, body: startInput })
  async start(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() input: StartInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OutingView> {
    return withEtag(reply, await this.outings.start(actor, id, versionFromIfMatch(ifMatch), input));
  }

  @Post('outings/:id/complete')
  @HttpCode(200)
  @Roles('operator', 'coordinator')
  @Input({ params: outingIdParams, body: completeInput })
  async complete(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() input: CompleteInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OutingView> {
    return withEtag(reply, await this.outings.complete(actor, id, versionFromIfMatch(ifMatch), input));
  }

  @Post('outings/:id/cancel')
  @HttpCode(200)
  @Roles('operator', 'coordinator')
  @Input({ params: outingIdParams, body: cancelInput })
  async cancel(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() input: CancelInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OutingView> {
    return withEtag(reply, await this.outings.cancel(actor, id, versionFromIfMatch(ifMatch), input));
  }

  @Get('outings/:id')
  @Roles('operator', 'coordinator', 'hub', 'lead', 'auditor')
  @Input({ params: outingIdParams })
  async get(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OutingView> {
    return withEtag(reply, await this.outings.get(actor, id));
  }

  @Get('outings')
  @Roles('operator', 'coordinator', 'hub', 'lead', 'auditor')
  @Input({ query: listOutingsQuery })
  list(@CurrentActor() actor: Actor, @Query() query: ListOutingsQuery): Promise<Page<OutingView>> {
    return this.outings.list(actor, query);
  }
}

function withEtag(reply: FastifyReply, outing: OutingView): OutingView {
  void reply.header('etag', etagOf(outing.version));
  return outing;
}
