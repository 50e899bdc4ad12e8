import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { AuthGuard, TOKEN_VERIFIER } from './auth.guard.js';
import { ClientLimitGuard, createClientLimiter } from './client-limits.js';
import { createTokenVerifier, type TokenVerifierConfig } from './token-verifier.js';

@Module({})
export class AuthModule {
  /**
   * Registers the deny-by-default guard for the whole app, then the per-client limit on lookups
   * (`@LimitedPerClient()`), which needs the actor the first one resolves: guards run in this order.
   * The config is validated here, at start.
   */
  static forRoot(config: TokenVerifierConfig, limits: { lookupsPerMinute?: number } = {}): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: TOKEN_VERIFIER, useValue: createTokenVerifier(config) },
        { provide: RateLimiterMemory, useValue: createClientLimiter(limits.lookupsPerMinute) },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: ClientLimitGuard },
      ],
      exports: [TOKEN_VERIFIER],
    };
  }
}
