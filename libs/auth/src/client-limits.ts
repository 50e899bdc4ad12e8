import {
  applyDecorators,
  HttpException,
  HttpStatus,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { AuthenticatedRequest } from './auth.guard.js';

export const LIMITED_PER_CLIENT_KEY = 'accanto:auth:limited-per-client';

/**
 * A route whose answers reach many people's records at once (search, match candidates, exports):
 * each client gets a budget of such lookups per minute, so a stolen token or a runaway integration
 * cannot page through the registry (api.md "Limits", docs/adr/0014-lookups-limited-per-client.md).
 */
export const LimitedPerClient = () =>
  applyDecorators(
    SetMetadata(LIMITED_PER_CLIENT_KEY, true),
    ApiTooManyRequestsResponse({
      description:
        'This client made too many lookups in the last minute: try again after Retry-After seconds.',
    }),
  );

/** Lookups a client may make per minute when the deployment does not say. */
export const defaultLookupsPerMinute = 120;

/** One budget per client across every limited route, counted in this process (ADR 0014). */
export function createClientLimiter(lookupsPerMinute = defaultLookupsPerMinute): RateLimiterMemory {
  return new RateLimiterMemory({ keyPrefix: 'lookups', points: lookupsPerMinute, duration: 60 });
}

/**
 * Spends one of the client's lookups on a `@LimitedPerClient()` route, or refuses it with 429 and
 * Retry-After. The client is the authenticated user (a person, or an integration's service
 * account): this guard runs after AuthGuard, so a request without a valid token is refused (401)
 * before it counts, and nobody can spend another's budget by naming them in a forged token.
 */
@Injectable()
export class ClientLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiterMemory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limited = this.reflector.getAllAndOverride<boolean | undefined>(LIMITED_PER_CLIENT_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!limited) return true;
    const http = context.switchToHttp();
    const { actor } = http.getRequest<AuthenticatedRequest>();
    if (!actor)
      throw new Error('A route limited per client is reached without an actor: AuthGuard runs first');
    const reply = http.getResponse<FastifyReply>();
    const limit = String(this.limiter.points);
    try {
      const spent = await this.limiter.consume(actor.userId);
      void reply.header('x-ratelimit-limit', limit).header('x-ratelimit-remaining', spent.remainingPoints);
      return true;
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      void reply
        .header('retry-after', Math.ceil(refusal.msBeforeNext / 1000))
        .header('x-ratelimit-limit', limit)
        .header('x-ratelimit-remaining', 0);
      throw new HttpException(
        `More than ${limit} lookups in a minute by this client: try again after Retry-After seconds.`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }
}
