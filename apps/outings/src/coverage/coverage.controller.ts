import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Actor } from '#contracts';
import { CurrentActor, Roles } from '#auth';
import { Input } from '#http';
import { coverageQuery, type CoverageQuery, type CoverageView } from './coverage.dto.js';
import { CoverageService } from './coverage.service.js';

@ApiTags('coverage')
@Controller('outings/coverage')
export class CoverageController {
  constructor(private readonly coverage: CoverageService) {}

  /** Who is where on a night (coordination): each area with the outings that planned or covered it. */
  @Get()
  @Roles('operator', 'coordinator', 'hub', 'lead', 'auditor')
  @Input({ query: coverageQuery })
  get(@CurrentActor() actor: Actor, @Query() query: CoverageQuery): Promise<CoverageView> {
    return this.coverage.onNight(actor, query.night);
  }
}
