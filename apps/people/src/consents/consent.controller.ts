import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Actor } from '#contracts';
import { CurrentActor, Roles } from '#auth';
import { Input } from '#http';
import { personIdParams } from '../persons/person.dto.js';
import {
  consentParams,
  giveConsentInput,
  revokeConsentInput,
  type ConsentView,
  type GiveConsentInput,
} from './consent.dto.js';
import { ConsentService } from './consent.service.js';

@ApiTags('consents')
@Controller('people/persons/:id/consents')
@Roles('operator', 'coordinator')
export class ConsentController {
  constructor(private readonly consents: ConsentService) {}

  @Post()
  @Input({ params: personIdParams, body: giveConsentInput })
  give(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() input: GiveConsentInput,
  ): Promise<ConsentView> {
    return this.consents.give(actor, id, input);
  }

  @Get()
  @Input({ params: personIdParams })
  list(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<{ items: ConsentView[] }> {
    return this.consents.list(actor, id);
  }

  @Post(':consentId/revoke')
  @HttpCode(200)
  @Input({ params: consentParams, body: revokeConsentInput })
  revoke(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('consentId') consentId: string,
    @Body() input: { reason: string | null },
  ): Promise<ConsentView> {
    return this.consents.revoke(actor, id, consentId, input.reason);
  }
}
