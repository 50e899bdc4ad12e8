import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '#contracts';
import { CurrentActor, Roles } from '#auth';
import { etagOf, Input, versionFromIfMatch, type Page } from '#http';
import {
  alertIdParams,
  alertInput,
  assignInput,
  closeInput,
  listAlertsQuery,
  type AlertInput,
  type AlertView,
  type AssignInput,
  type CloseInput,
  type ListAlertsQuery,
} from './alert.dto.js';
import { AlertService } from './alert.service.js';

@ApiTags('alerts')
@Controller('outings/alerts')
export class AlertController {
  constructor(private readonly alerts: AlertService) {}

  /** Records an alert under a client-chosen id (idempotent). */
  @Put(':id')
  @Roles('operator', 'coordinator', 'hub', 'lead')
  @Input({ params: alertIdParams, body: alertInput })
  async receive(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() input: AlertInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AlertView> {
    const { alert, created } = await this.alerts.receive(actor, id, input);
    void reply.status(created ? 201 : 200);
    if (created) void reply.header('location', `/outings/alerts/${alert.id}`);
    return withEtag(reply, alert);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @Roles('operator', 'coordinator', 'hub', 'lead')
  @Input({ params: alertIdParams, body: assignInput })
  async assign(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() input: AssignInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AlertView> {
    return withEtag(reply, await this.alerts.assign(actor, id, versionFromIfMatch(ifMatch), input));
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles('operator', 'coordinator', 'hub', 'lead')
  @Input({ params: alertIdParams, body: closeInput })
  async close(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() input: CloseInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AlertView> {
    return withEtag(reply, await this.alerts.close(actor, id, versionFromIfMatch(ifMatch), input));
  }

  @Get(':id')
  @Roles('operator', 'coordinator', 'hub', 'lead')
  @Input({ params: alertIdParams })
  async get(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AlertView> {
    return withEtag(reply, await this.alerts.get(actor, id));
  }

  @Get()
  @Roles('operator', 'coordinator', 'hub', 'lead')
  @Input({ query: listAlertsQuery })
  list(@CurrentActor() actor: Actor, @Query() query: ListAlertsQuery): Promise<Page<AlertView>> {
    return this.alerts.list(actor, query);
  }
}

function withEtag(reply: FastifyReply, alert: AlertView): AlertView {
  void reply.header('etag', etagOf(alert.version));
  return alert;
}
