import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard, TOKEN_VERIFIER } from './auth.guard.js';
import { createTokenVerifier, type TokenVerifierConfig } from './token-verifier.js';

@Module({})
export class AuthModule {
  /** Registers the deny-by-default guard for the whole app; the config is validated here, at start. */
  static forRoot(config: TokenVerifierConfig): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: TOKEN_VERIFIER, useValue: createTokenVerifier(config) },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [TOKEN_VERIFIER],
    };
  }
}
