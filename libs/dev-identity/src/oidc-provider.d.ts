// oidc-provider 9 ships no types: only what this library uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type ProviderClient = {
    clientId: string;
    clientAuthMethod: string;
    redirectUris: string[];
    grantTypeAllowed(grantType: string): boolean;
  };

  export type ProviderContext = {
    oidc: {
      params: Record<string, string | undefined>;
      client: ProviderClient;
      session: { accountId: string };
    };
    body: unknown;
  };

  export type IssuedToken = {
    kind: string;
    clientId: string;
    accountId?: string;
    scope?: string;
    sid?: string;
  };

  export type StructuredToken = { header?: Record<string, unknown>; payload: Record<string, unknown> };

  export type Account = {
    accountId: string;
    claims(use: string, scope: string): Promise<Record<string, unknown>> | Record<string, unknown>;
  };

  type Saveable = { save(): Promise<string> };

  export type OidcError = Error & { status: number; statusCode: number; error_description?: string };

  export type InteractionDetails = { uid: string; prompt: { name: string }; params: Record<string, unknown> };

  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    registerGrantType(
      name: string,
      handler: (ctx: ProviderContext) => Promise<void>,
      parameters?: string[],
    ): void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
    ): Promise<void>;
    readonly Client: { prototype: Record<string, unknown> };
    readonly Grant: {
      new (properties: { clientId: string; accountId: string }): Saveable & {
        addOIDCScope(scope: string): void;
        addResourceScope(resource: string, scope: string): void;
      };
      find(id: string): Promise<unknown>;
    };
    readonly AccessToken: new (properties: Record<string, unknown>) => Saveable & {
      resourceServer?: unknown;
      expiration: number;
    };
    readonly RefreshToken: new (properties: Record<string, unknown>) => Saveable & { expiration: number };
    readonly ResourceServer: new (identifier: string, info: Record<string, unknown>) => unknown;
    readonly IdToken: new (
      claims: Record<string, unknown>,
      options: { ctx: ProviderContext },
    ) => { scope: string; issue(options: { use: 'idtoken' }): Promise<string> };
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  export const errors: {
    CustomOIDCProviderError: new (error: string, description: string) => OidcError;
    InvalidScope: new (description: string, scope: string) => OidcError;
    InvalidTarget: new () => OidcError;
    InvalidRequest: new (description: string) => OidcError;
  };
}
