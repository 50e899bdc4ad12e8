import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { INPUT_SCHEMAS, parseInput, type InputSchemas } from './validation.js';

/** Validates body, query and params against the route's `@Input` schemas before the handler runs. */
@Injectable()
export class ValidationInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const schemas = this.reflector.get<InputSchemas | undefined>(INPUT_SCHEMAS, context.getHandler());
    if (schemas) {
      const request = context.switchToHttp().getRequest<FastifyRequest>();
      if (schemas.params) request.params = parseInput(schemas.params, request.params, 'params');
      if (schemas.query) request.query = parseInput(schemas.query, request.query ?? {}, 'query');
      if (schemas.body) request.body = parseInput(schemas.body, request.body, 'body');
    }
    return next.handle();
  }
}
