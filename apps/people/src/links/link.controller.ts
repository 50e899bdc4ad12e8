import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiTags } from '@nestjs/swagger';
import type { Actor } from '#contracts';
import { CurrentActor, LimitedPerClient, Roles } from '#auth';
import { Input, type Page } from '#http';
import { AcceptsIdempotencyKey, answerCreated } from '../idempotency.js';
import { personIdParams } from '../persons/person.dto.js';
import {
  linkInput,
  networkPersonParams,
  reviewQueueQuery,
  unlinkInput,
  type CandidatePairView,
  type CandidateView,
  type LinkInput,
  type NetworkPersonView,
  type ReviewQueueQuery,
  type UnlinkInput,
} from './link.dto.js';
import { LinkService } from './link.service.js';

@ApiTags('links')
@Controller('people')
@Roles('operator', 'coordinator', 'hub')
export class LinkController {
  constructor(private readonly links: LinkService) {}

  /** Records that may be the same human, among those the caller may see. */
  @Get('persons/:id/candidates')
  @LimitedPerClient()
  @Input({ params: personIdParams })
  candidates(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<{ items: CandidateView[] }> {
    return this.links.candidates(actor, id);
  }

  /** Pairs found when records were registered or updated, waiting for review. */
  @Get('candidates')
  @LimitedPerClient()
  @Input({ query: reviewQueueQuery })
  reviewQueue(
    @CurrentActor() actor: Actor,
    @Query() query: ReviewQueueQuery,
  ): Promise<Page<CandidatePairView>> {
    return this.links.reviewQueue(actor, query);
  }

  @Post('links')
  @AcceptsIdempotencyKey()
  @Input({ body: linkInput })
  async link(
    @CurrentActor() actor: Actor,
    @Headers('idempotency-key') key: string | undefined,
    @Body() input: LinkInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<NetworkPersonView> {
    return answerCreated(reply, await this.links.link(actor, input, key));
  }

  @Post('network-persons/:networkPersonId/unlink')
  @HttpCode(200)
  @Input({ params: networkPersonParams, body: unlinkInput })
  unlink(
    @CurrentActor() actor: Actor,
    @Param('networkPersonId') networkPersonId: string,
    @Body() input: UnlinkInput,
  ): Promise<NetworkPersonView> {
    return this.links.unlink(actor, networkPersonId, input);
  }

  @Get('network-persons/:networkPersonId')
  @Input({ params: networkPersonParams })
  networkPerson(
    @CurrentActor() actor: Actor,
    @Param('networkPersonId') networkPersonId: string,
  ): Promise<NetworkPersonView> {
    return this.links.networkPerson(actor, networkPersonId);
  }
}
