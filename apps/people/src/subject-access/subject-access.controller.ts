import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Actor } from '#contracts';
import { CurrentActor, LimitedPerClient, Roles } from '#auth';
import { Input } from '#http';
import { personIdParams } from '../persons/person.dto.js';
import { SubjectAccessService, type SubjectAccessExport } from './subject-access.service.js';

@ApiTags('subject access')
@Controller('people/persons/:id/subject-access')
export class SubjectAccessController {
  constructor(private readonly subjectAccess: SubjectAccessService) {}

  /** Everything the owning organisation holds about the person, as one JSON document. */
  @Get()
  @LimitedPerClient()
  @Roles('coordinator')
  @Input({ params: personIdParams })
  export(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<SubjectAccessExport> {
    return this.subjectAccess.export(actor, id);
  }
}
