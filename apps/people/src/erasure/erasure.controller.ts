import { Body, Controller, Headers, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '#contracts';
import { CurrentActor, Roles } from '#auth';
import { etagOf, Input, versionFromIfMatch } from '#http';
import { personIdParams, type PersonView } from '../persons/person.dto.js';
import {
  erasureHoldInput,
  forgetInput,
  type ErasureHoldInput,
  type ErasureView,
  type ForgetInput,
} from './erasure.dto.js';
import { ErasureService } from './erasure.service.js';

// Coordinators only: erasure and holds are decisions of the organisation that owns the record.
@ApiTags('erasure')
@Controller('people/persons/:id')
export class ErasureController {
  constructor(private readonly erasure: ErasureService) {}

  /** Forgets the person: their data key is destroyed; 409 while the law keeps the record. */
  @Post('forget')
  @HttpCode(200)
  @Roles('coordinator')
  @Input({ params: personIdParams, body: forgetInput })
  forget(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() input: ForgetInput,
  ): Promise<ErasureView> {
    return this.erasure.forget(actor, id, input);
  }

  @Put('erasure-hold')
  @Roles('coordinator')
  @Input({ params: personIdParams, body: erasureHoldInput })
  async hold(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() input: ErasureHoldInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PersonView> {
    const person = await this.erasure.setHold(actor, id, versionFromIfMatch(ifMatch), input);
    void reply.header('etag', etagOf(person.version));
    return person;
  }
}
