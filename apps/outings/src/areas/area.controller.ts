import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Actor } from '#contracts';
import { CurrentActor, Roles } from '#auth';
import { Input, type Page } from '#http';
import { areaCodeParams, listAreasQuery, type AreaView, type ListAreasQuery } from './area.dto.js';
import { AreaService } from './area.service.js';

@ApiTags('areas')
@Controller('outings/areas')
export class AreaController {
  constructor(private readonly areas: AreaService) {}

  @Get(':code')
  @Roles('operator', 'coordinator', 'hub', 'lead', 'auditor')
  @Input({ params: areaCodeParams })
  get(@CurrentActor() actor: Actor, @Param('code') code: string): Promise<AreaView> {
    return this.areas.get(actor, code);
  }

  @Get()
  @Roles('operator', 'coordinator', 'hub', 'lead', 'auditor')
  @Input({ query: listAreasQuery })
  list(@CurrentActor() actor: Actor, @Query() query: ListAreasQuery): Promise<Page<AreaView>> {
    return this.areas.list(actor, query);
  }
}
