import { Body, Controller, Get, Headers, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '#contracts';
import { CurrentActor, LimitedPerClient, Roles } from '#auth';
import { etagOf, Input, versionFromIfMatch, type Page } from '#http';
import {
  listPersonsQuery,
  personIdParams,
  personInput,
  restrictionInput,
  type ListPersonsQuery,
  type PersonInput,
  type PersonView,
  type RestrictionInput,
} from './person.dto.js';
import { AcceptsIdempotencyKey } from '../idempotency.js';
import { PersonService, type Written } from './person.service.js';

@ApiTags('persons')
@Controller('people/persons')
export class PersonController {
  constructor(private readonly persons: PersonService) {}

  @Post()
  @AcceptsIdempotencyKey()
  @Roles('operator', 'coordinator')
  @Input({ body: personInput })
  async register(
    @CurrentActor() actor: Actor,
    @Headers('idempotency-key') key: string | undefined,
    @Body() input: PersonInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PersonView> {
    return respond(reply, await this.persons.registerOnce(actor, key, input));
  }

  /** Create with a client-chosen id (offline field apps), or replace with If-Match. */
  @Put(':id')
  @Roles('operator', 'coordinator')
  @Input({ params: personIdParams, body: personInput })
  async put(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() input: PersonInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PersonView> {
    if (ifMatch === undefined) return respond(reply, await this.persons.register(actor, id, input));
    return respond(reply, {
      person: await this.persons.replace(actor, id, versionFromIfMatch(ifMatch), input),
      created: false,
    });
  }

  /** Marks a person at special risk (violence, trafficking, anonymity) as restricted, or lifts it. */
  @Put(':id/restriction')
  @Roles('operator', 'coordinator')
  @Input({ params: personIdParams, body: restrictionInput })
  async restrict(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() input: RestrictionInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PersonView> {
    const person = await this.persons.changeRestriction(actor, id, versionFromIfMatch(ifMatch), input);
    return respond(reply, { person, created: false });
  }

  @Get(':id')
  @Roles('operator', 'coordinator', 'hub')
  @Input({ params: personIdParams })
  async get(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PersonView> {
    return respond(reply, { person: await this.persons.get(actor, id), created: false });
  }

  @Get()
  @LimitedPerClient()
  @Roles('operator', 'coordinator', 'hub')
  @Input({ query: listPersonsQuery })
  list(@CurrentActor() actor: Actor, @Query() query: ListPersonsQuery): Promise<Page<PersonView>> {
    return this.persons.list(actor, query);
  }
}

function respond(reply: FastifyReply, { person, created }: Written): PersonView {
  void reply.status(created ? 201 : 200).header('etag', etagOf(person.version));
  if (created) void reply.header('location', `/people/persons/${person.id}`);
  return person;
}
