import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Actor } from '#contracts';
import { CurrentActor, Roles } from '#auth';
import { Input, type Page } from '#http';
import { personIdParams } from '../persons/person.dto.js';
import {
  accessLogQuery,
  AccessLogService,
  type AccessLogQuery,
  type AccessLogView,
} from './access-log.service.js';

@ApiTags('access log')
@Controller('people')
export class AccessLogController {
  constructor(private readonly accessLog: AccessLogService) {}

  /** Who read or changed one of our persons: for the owner's coordinators. */
  @Get('persons/:id/access-log')
  @Roles('coordinator')
  @Input({ params: personIdParams, query: accessLogQuery })
  forPerson(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() query: AccessLogQuery,
  ): Promise<Page<AccessLogView>> {
    return this.accessLog.forPerson(actor, id, query);
  }

  /** The network's access history for auditors: ids, organisations and roles, no personal data. */
  @Get('access-log')
  @Roles('auditor')
  @Input({ query: accessLogQuery })
  network(@CurrentActor() actor: Actor, @Query() query: AccessLogQuery): Promise<Page<AccessLogView>> {
    return this.accessLog.network(actor, query);
  }
}
