import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Actor } from '#contracts';
import { CurrentActor, LimitedPerClient, Roles } from '#auth';
import { Input, type Page } from '#http';
import { personIdParams } from '../persons/person.dto.js';
import { searchCardsQuery, type CardView, type SearchCardsQuery } from './card.dto.js';
import { CardService } from './card.service.js';

@ApiTags('network cards')
@Controller('people')
export class CardController {
  constructor(private readonly cards: CardService) {}

  /** A person's network card: alias, age band, usual area and the organisation that holds the record. */
  @Get('persons/:id/card')
  @Roles('operator', 'coordinator', 'hub')
  @Input({ params: personIdParams })
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<CardView> {
    return this.cards.get(actor, id);
  }

  /** Whether the network knows someone met in the street: cards by alias or street name, and area. */
  @Get('cards')
  @LimitedPerClient()
  @Roles('operator', 'coordinator', 'hub')
  @Input({ query: searchCardsQuery })
  search(@CurrentActor() actor: Actor, @Query() query: SearchCardsQuery): Promise<Page<CardView>> {
    return this.cards.search(actor, query);
  }
}
