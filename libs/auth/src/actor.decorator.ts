import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Actor } from '#contracts';
import type { AuthenticatedRequest } from './auth.guard.js';

/** The `Actor` the auth guard resolved for this request. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const actor = context.switchToHttp().getRequest<AuthenticatedRequest>().actor;
  // Only reachable on a @Public() route: a programming error, not the caller's.
  if (!actor) throw new Error('@CurrentActor() used on a route that is not authenticated');
  return actor;
});
