import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Actor } from '#contracts';
import { CurrentActor, LimitedPerClient, Roles } from '#auth';
import { Input, type Page } from '#http';
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
  @Input({ body: linkInput })
  link(@CurrentActor() actor: Actor, @Body() input: LinkInput): Promise<NetworkPersonView> {
    return this.links.link(actor, input);
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
