import {
  BadRequestException,
  ForbiddenException,
  Inject,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, Role } from '#contracts';
import { ActorRefusedError, ORGANISATION_HEADER, resolveActor } from './actor-resolver.js';
import { IS_PUBLIC_KEY } from './public.decorator.js';
import { ROLES_KEY } from './roles.decorator.js';
import { InvalidTokenError, KeySetUnavailableError, type TokenVerifier } from './token-verifier.js';

export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');

export type AuthenticatedRequest = FastifyRequest & { actor?: Actor };

// RFC 6750 b64token after the (case-insensitive) scheme.
const bearer = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** Deny by default: every route needs a valid bearer token unless marked `@Public()`. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, targets);
    // A role requirement wins over @Public(), so a public controller cannot leak a guarded method.
    if (isPublic && required.length === 0) return true;
    // Only HTTP carries bearer tokens; other transports must opt out explicitly with @Public().
    if (context.getType() !== 'http') return false;

    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const reply = http.getResponse<FastifyReply>();
    const authorization = request.headers.authorization;

    // RFC 6750 §3.1: no error code when the request carries no bearer credentials at all.
    if (!authorization || !/^Bearer(\s|$)/i.test(authorization)) {
      reply.header('WWW-Authenticate', 'Bearer realm="accanto"');
      throw new UnauthorizedException('A bearer access token is required');
    }
    const token = bearer.exec(authorization)?.[1];
    const verification = token
      ? this.verifier.verify(token)
      : Promise.reject(new InvalidTokenError('malformed'));
    const verified = await verification.catch((error: unknown) => {
      if (error instanceof InvalidTokenError) {
        reply.header('WWW-Authenticate', 'Bearer realm="accanto", error="invalid_token"');
        throw new UnauthorizedException(`The access token is not valid (${error.reason})`);
      }
      if (error instanceof KeySetUnavailableError) {
        // A 401 here would make clients throw away good tokens while the identity provider is down.
        throw new ServiceUnavailableException('Access tokens cannot be verified right now');
      }
      throw error;
    });

    const requested = request.headers[ORGANISATION_HEADER];
    try {
      request.actor = resolveActor(verified, Array.isArray(requested) ? requested.join(',') : requested);
    } catch (error) {
      if (!(error instanceof ActorRefusedError)) throw error;
      // A missing header is a request the client can fix (400), not a lack of permission (403).
      if (error.reason === 'organisation-required') throw new BadRequestException(error.message);
      throw new ForbiddenException(error.message);
    }

    const { roles } = request.actor;
    if (required.length > 0 && !required.some((role) => roles.includes(role))) {
      throw new ForbiddenException(`One of these roles is required: ${required.join(', ')}`);
    }
    return true;
  }
}
