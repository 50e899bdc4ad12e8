import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemType, type Problem } from './problem.js';

const titles: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Invalid request',
  428: 'Precondition required',
  429: 'Too many requests',
};

/** Turns anything thrown into application/problem+json; never leaks a stack trace. */
export function toProblem(error: unknown, instance: string): Problem {
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    if (typeof body === 'object' && body !== null && 'type' in body && 'title' in body) {
      return { ...(body as Problem), instance };
    }
    const detail = typeof body === 'string' ? body : (body as { message?: unknown }).message;
    return {
      type: problemType(slugOf(status)),
      title: titles[status] ?? 'Error',
      status,
      detail: typeof detail === 'string' ? detail : undefined,
      instance,
    };
  }
  const fastifyError = error as { statusCode?: number; code?: string; message?: string };
  if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode < 500) {
    // Fastify's own 4xx (malformed JSON, body too large, wrong content type): safe to explain.
    const status = fastifyError.statusCode;
    return {
      type: problemType(slugOf(status)),
      title: titles[status] ?? 'Bad request',
      status,
      detail: fastifyError.message,
      instance,
    };
  }
  return {
    type: problemType('internal'),
    title: 'Internal error',
    status: 500,
    detail: 'Something went wrong on our side.',
    instance,
  };
}

function slugOf(status: number): string {
  return (titles[status] ?? 'error').toLowerCase().replaceAll(' ', '-');
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // The route pattern, not the URL: search queries can carry names.
    const instance = request.routeOptions?.url ?? request.url.split('?')[0];
    const problem = toProblem(error, instance);
    if (problem.status >= HttpStatus.INTERNAL_SERVER_ERROR) {
      this.logger.error(
        { err: error instanceof Error ? error.name : 'unknown', route: instance },
        (error as Error)?.stack,
      );
    }
    void reply.status(problem.status).header('content-type', 'application/problem+json').send(problem);
  }
}
