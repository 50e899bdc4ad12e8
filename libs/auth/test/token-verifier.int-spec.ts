import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createTokenVerifier,
  InvalidTokenError,
  KeySetUnavailableError,
  type InvalidTokenReason,
  type TokenVerifier,
} from '#auth';
import { eventually } from '#testing';
import { startTestIssuer, type TestIssuer } from './test-issuer.js';

describe('createTokenVerifier', () => {
  let issuer: TestIssuer;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    verifier = createTokenVerifier({ issuer: issuer.issuer, audience: 'accanto-api' });
  });
  afterAll(() => issuer.close());

  const reasonFor = async (token: string, using = verifier): Promise<InvalidTokenReason> => {
    const error = await using.verify(token).then(
      () => new Error('expected the token to be refused'),
      (refusal: unknown) => refusal,
    );
    if (error instanceof InvalidTokenError) return error.reason;
    throw error;
  };

  it('returns the claims of a valid Keycloak access token', async () => {
    const verified = await verifier.verify(await issuer.sign());
    expect(verified).toMatchObject({ sub: issuer.claims().sub, azp: 'field-app', typ: 'Bearer' });
  });

  it('fetches the key set once, not per request, even for unknown keys within the cooldown', async () => {
    const fresh = createTokenVerifier({
      issuer: issuer.issuer,
      jwksUrl: issuer.jwksUrl,
      audience: 'accanto-api',
    });
    const before = issuer.jwksFetches();
    for (let i = 0; i < 5; i += 1) await fresh.verify(await issuer.sign());
    expect(await reasonFor(await issuer.sign({}, { key: 'unpublished' }), fresh)).toBe('unknown-key');
    expect(issuer.jwksFetches() - before).toBe(1);
  });

  it('remembers a verified token until it expires, then refuses it', async () => {
    // Expired two seconds ago: accepted within the 5 s tolerance, refused once that has passed too.
    const token = await issuer.sign({ exp: Math.floor(Date.now() / 1000) - 2 });
    await expect(verifier.verify(token)).resolves.toBeDefined();
    await expect(verifier.verify(token)).resolves.toBeDefined();
    await eventually(async () => expect(await reasonFor(token)).toBe('expired'), {
      timeoutMs: 10_000,
      intervalMs: 250,
    });
  });

  it('never remembers a refused token', async () => {
    const token = await issuer.sign({ typ: 'Refresh' });
    expect(await reasonFor(token)).toBe('wrong-type');
    expect(await reasonFor(token)).toBe('wrong-type');
  });

  it('accepts a single-string audience', async () => {
    await expect(verifier.verify(await issuer.sign({ aud: 'accanto-api' }))).resolves.toBeDefined();
  });

  it.each<[string, Record<string, unknown>, InvalidTokenReason]>([
    ['an ID token', { typ: 'ID' }, 'wrong-type'],
    ['a token without typ', { typ: undefined }, 'wrong-type'],
    ['a token without azp', { azp: undefined }, 'missing-claim'],
    ['a token with an empty azp', { azp: '' }, 'missing-claim'],
    ['a token without sub', { sub: undefined }, 'missing-claim'],
    ['a token with an empty sub', { sub: '' }, 'invalid-claim'],
    ['a token not valid yet', { nbf: Math.floor(Date.now() / 1000) + 60 }, 'not-yet-valid'],
    ['a token expired beyond the tolerance', { exp: Math.floor(Date.now() / 1000) - 6 }, 'expired'],
  ])('refuses %s', async (_case, overrides, reason) => {
    expect(await reasonFor(await issuer.sign(overrides))).toBe(reason);
  });

  it('tolerates a token expired within the clock tolerance', async () => {
    await expect(
      verifier.verify(await issuer.sign({ exp: Math.floor(Date.now() / 1000) - 2 })),
    ).resolves.toBeDefined();
  });

  it('refuses a token signed with a published kid but another key', async () => {
    expect(await reasonFor(await issuer.sign({}, { key: 'impostor' }))).toBe('bad-signature');
  });

  it('refuses garbage', async () => {
    expect(await reasonFor('not.a.jwt')).toBe('malformed');
    expect(await reasonFor('')).toBe('malformed');
  });

  it('checks azp against the allow-list when one is configured', async () => {
    const strict = createTokenVerifier({
      issuer: issuer.issuer,
      audience: 'accanto-api',
      allowedClients: ['web'],
    });
    expect(await reasonFor(await issuer.sign({ azp: 'field-app' }), strict)).toBe('client-not-allowed');
    await expect(strict.verify(await issuer.sign({ azp: 'web' }))).resolves.toBeDefined();
  });

  it('never puts the token in its error', async () => {
    const token = await issuer.sign({ typ: 'Refresh' });
    const error = (await verifier.verify(token).catch((refusal: unknown) => refusal)) as Error;
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(token.split('.')[1]);
  });

  it('reports an unreachable key set as unavailable, not as an invalid token', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = createTokenVerifier({
      issuer: issuer.issuer,
      jwksUrl: `http://127.0.0.1:${port}/certs`,
      audience: 'accanto-api',
    });
    await expect(unreachable.verify(await issuer.sign())).rejects.toBeInstanceOf(KeySetUnavailableError);
  });

  it.each([
    ['a shared-secret algorithm', { algorithms: ['HS256'] }],
    ['the none algorithm', { algorithms: ['none'] }],
    ['an empty client allow-list', { allowedClients: [] }],
    ['an issuer that is not a URL', { issuer: 'accanto' }],
  ])('refuses to start with %s', (_case, overrides) => {
    expect(() =>
      createTokenVerifier({ issuer: issuer.issuer, audience: 'accanto-api', ...overrides }),
    ).toThrow(/invalid token verifier configuration/);
  });
});
