import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey } from 'jose';
import { Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AuthModule } from '#auth';

// A stand-in for Keycloak's realm: a real HTTP server publishing a JWKS, and real RS256 signatures.

export type SignOptions = {
  /** `published`: the key in the JWKS; `unpublished`: a key the JWKS never shows; `impostor`: unpublished key, published kid. */
  key?: 'published' | 'unpublished' | 'impostor';
};

export type TestIssuer = {
  issuer: string;
  jwksUrl: string;
  /** How many times the JWKS was fetched. */
  jwksFetches: () => number;
  /** Keycloak-shaped access token claims; an override set to `undefined` drops the claim. */
  claims: (overrides?: Record<string, unknown>) => Record<string, unknown>;
  sign: (overrides?: Record<string, unknown>, options?: SignOptions) => Promise<string>;
  signUnsecured: (overrides?: Record<string, unknown>) => string;
  /** HS256 keyed with the published public key: the classic algorithm-confusion attack. */
  signWithPublicKeyAsSecret: (overrides?: Record<string, unknown>) => Promise<string>;
  close: () => Promise<void>;
};

export async function startTestIssuer(): Promise<TestIssuer> {
  const published = await generateKeyPair('RS256', { extractable: true });
  const unpublished = await generateKeyPair('RS256');
  const publicJwk = {
    ...(await exportJWK(published.publicKey)),
    kid: 'published-key',
    alg: 'RS256',
    use: 'sig',
  };
  const publicPem = await exportSPKI(published.publicKey);

  let fetches = 0;
  const server = createServer((request, response) => {
    if (request.url === '/realms/accanto/protocol/openid-connect/certs') {
      fetches += 1;
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [publicJwk] }));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/realms/accanto`;

  const claims = (overrides: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: issuer,
      aud: ['accanto-api', 'account'],
      sub: '5c3f1e0a-1b2c-4d5e-8f90-a1b2c3d4e5f6',
      typ: 'Bearer',
      azp: 'field-app',
      exp: now + 300,
      iat: now,
      preferred_username: 'operatore.cri',
      realm_access: { roles: ['operator', 'offline_access', 'default-roles-accanto'] },
      organization: ['cri-milano'],
      ...overrides,
    };
  };

  const signingKey = { published, unpublished, impostor: unpublished } as const;
  const kidOf = {
    published: 'published-key',
    unpublished: 'rotated-away-key',
    impostor: 'published-key',
  } as const;

  return {
    issuer,
    jwksUrl: `${issuer}/protocol/openid-connect/certs`,
    jwksFetches: () => fetches,
    claims,
    sign: (overrides, { key = 'published' } = {}) =>
      new SignJWT(claims(overrides))
        .setProtectedHeader({ alg: 'RS256', kid: kidOf[key], typ: 'JWT' })
        .sign(signingKey[key].privateKey as CryptoKey),
    signUnsecured: (overrides) => new UnsecuredJWT(claims(overrides)).encode(),
    signWithPublicKeyAsSecret: (overrides) =>
      new SignJWT(claims(overrides))
        .setProtectedHeader({ alg: 'HS256', kid: 'published-key', typ: 'JWT' })
        .sign(new TextEncoder().encode(publicPem)),
    close: () =>
      new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/**
 * A Nest app on Fastify whose only module is AuthModule, configured for `issuer`, with the given
 * probe controllers: the guards as an app runs them, and nothing else.
 */
export async function startProbeApp(
  issuer: TestIssuer,
  controllers: Type[],
  limits: { lookupsPerMinute?: number } = {},
): Promise<{ base: string; close: () => Promise<void> }> {
  @Module({
    imports: [
      AuthModule.forRoot({ issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, audience: 'accanto-api' }, limits),
    ],
    controllers,
  })
  class ProbeModule {}
  const app = await NestFactory.create(ProbeModule, new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  return { base: await app.getUrl(), close: () => app.close() };
}
