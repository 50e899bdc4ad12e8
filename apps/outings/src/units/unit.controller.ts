import { Body, Controller, Get, Headers, Param, Put, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '#contracts';
import { CurrentActor, Roles } from '#auth';
import { etagOf, Input, versionFromIfMatch, type Page } from '#http';
import {
  listUnitsQuery,
  unitIdParams,
  unitInput,
  type ListUnitsQuery,
  type UnitInput,
  type UnitView,
} from './unit.dto.js';
import { UnitService, type WrittenUnit } from './unit.service.js';

@ApiTags('units')
@Controller('outings/units')
export class UnitController {
  constructor(private readonly units: UnitService) {}

  /** Create with a client-chosen id, or replace with If-Match. */
  @Put(':id')
  @Roles('coordinator')
  @Input({ params: unitIdParams, body: unitInput })
  async put(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() input: UnitInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UnitView> {
    if (ifMatch === undefined) return respond(reply, await this.units.create(actor, id, input));
    const unit = await this.units.replace(actor, id, versionFromIfMatch(ifMatch), input);
    return respond(reply, { unit, created: false });
  }

  @Get(':id')
  @Roles('operator', 'coordinator', 'hub', 'lead', 'auditor')
  @Input({ params: unitIdParams })
  async get(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UnitView> {
    return respond(reply, { unit: await this.units.get(actor, id), created: false });
  }

  @Get()
  @Roles('operator', 'coordinator', 'hub', 'lead', 'auditor')
  @Input({ query: listUnitsQuery })
  list(@CurrentActor() actor: Actor, @Query() query: ListUnitsQuery): Promise<Page<UnitView>> {
    return this.units.list(actor, query);
  }
}

function respond(reply: FastifyReply, { unit, created }: WrittenUnit): UnitView {
  void reply.status(created ? 201 : 200).header('etag', etagOf(unit.version));
  if (created) void reply.header('location', `/outings/units/${unit.id}`);
  return unit;
}
