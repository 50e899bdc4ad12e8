import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Actor } from '#contracts';
import { CurrentActor, Roles } from '#auth';
import { Input } from '#http';
import { personIdParams } from '../persons/person.dto.js';
import { consentReportQuery, type ConsentReport, type ConsentReportQuery } from './consent-report.js';
import {
  consentParams,
  giveConsentInput,
  refuseConsentInput,
  revokeConsentInput,
  type ConsentView,
  type GiveConsentInput,
  type RefuseConsentInput,
} from './consent.dto.js';
import { ConsentService } from './consent.service.js';

@ApiTags('consents')
@Controller('people')
@Roles('operator', 'coordinator')
export class ConsentController {
  constructor(private readonly consents: ConsentService) {}

  @Post('persons/:id/consents')
  @Input({ params: personIdParams, body: giveConsentInput })
  give(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() input: GiveConsentInput,
  ): Promise<ConsentView> {
    return this.consents.give(actor, id, input);
  }

  @Get('persons/:id/consents')
  @Input({ params: personIdParams })
  list(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<{ items: ConsentView[] }> {
    return this.consents.list(actor, id);
  }

  @Post('persons/:id/consents/:consentId/revoke')
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

  @Post('persons/:id/consent-refusals')
  @Input({ params: personIdParams, body: refuseConsentInput })
  refuse(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() input: RefuseConsentInput) {
    return this.consents.refuse(actor, id, input);
  }

  /** People with no consent, consents expiring within N days, refusals: the organisation's own people. */
  @Get('reports/consents')
  @Roles('coordinator')
  @Input({ query: consentReportQuery })
  report(@CurrentActor() actor: Actor, @Query() query: ConsentReportQuery): Promise<ConsentReport> {
    return this.consents.report(actor, query);
  }
}
