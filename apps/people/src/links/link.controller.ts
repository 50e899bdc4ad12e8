import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Actor } from '#contracts';
import { CurrentActor, Roles } from '#auth';
import { Input } from '#http';
import { personIdParams } from '../persons/person.dto.js';
import {
  linkInput,
  networkPersonParams,
  unlinkInput,
  type CandidateView,
  type LinkInput,
  type NetworkPersonView,
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
  @Input({ params: personIdParams })
  candidates(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<{ items: CandidateView[] }> {
    return this.links.candidates(actor, id);
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
