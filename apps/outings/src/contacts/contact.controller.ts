import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '#contracts';
import { CurrentActor, LimitedPerClient, Roles } from '#auth';
import { Input, type Page } from '#http';
import {
  contactBatchInput,
  contactIdParams,
  contactInput,
  listContactsQuery,
  type ContactBatchInput,
  type ContactBatchResult,
  type ContactInput,
  type ContactView,
  type ListContactsQuery,
} from './contact.dto.js';
import { ContactService } from './contact.service.js';

@ApiTags('contacts')
@Controller('outings/contacts')
export class ContactController {
  constructor(private readonly contacts: ContactService) {}

  /** Records a contact under a client-chosen id (idempotent for offline field apps). */
  @Put(':id')
  @Roles('operator', 'coordinator')
  @Input({ params: contactIdParams, body: contactInput })
  async record(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() input: ContactInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ContactView> {
    const { contact, created } = await this.contacts.record(actor, id, input);
    void reply.status(created ? 201 : 200);
    if (created) void reply.header('location', `/outings/contacts/${contact.id}`);
    return contact;
  }

  /**
   * A field app's offline queue: each contact answered on its own, in the order sent (accepted,
   * duplicate, or rejected with a problem). 200 rather than 207 Multi-Status: the request as a whole
   * succeeded, and 207 is WebDAV's, with a body of its own that the API conventions do not use.
   */
  @Post('batch')
  @HttpCode(200)
  @Roles('operator', 'coordinator')
  @Input({ body: contactBatchInput })
  recordBatch(
    @CurrentActor() actor: Actor,
    @Body() input: ContactBatchInput,
  ): Promise<{ items: ContactBatchResult[] }> {
    return this.contacts.recordBatch(actor, input);
  }

  @Get(':id')
  @Roles('operator', 'coordinator', 'hub')
  @Input({ params: contactIdParams })
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<ContactView> {
    return this.contacts.get(actor, id);
  }

  @Get()
  @LimitedPerClient()
  @Roles('operator', 'coordinator', 'hub')
  @Input({ query: listContactsQuery })
  list(@CurrentActor() actor: Actor, @Query() query: ListContactsQuery): Promise<Page<ContactView>> {
    return this.contacts.list(actor, query);
  }
}
