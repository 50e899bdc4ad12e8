import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';

// Tokens are verified locally against the realm's JWKS (architecture.md §4). keycloak-connect is
// not an option: it accepts tokens without `exp`, ignores `aud` and crashes on Fastify (stack.md).

/** Asymmetric algorithms only: a shared-secret (HS*) or `none` entry would let anyone holding the public key sign. */
const asymmetricAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

const configSchema = z.object({
  issuer: z.url({ protocol: /^https?$/ }),
  jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
  audience: z.string().min(1),
  algorithms: z.array(z.enum(asymmetricAlgorithms)).min(1).default(['RS256', 'PS256', 'ES256']),
  clockToleranceSeconds: z.number().int().min(0).max(300).default(5),
  // An empty list would refuse every client: omit it to accept any `azp`.
  allowedClients: z.array(z.string().min(1)).min(1).optional(),
});

export type TokenVerifierConfig = {
  /** `<base>/realms/accanto`, exactly as it appears in the token's `iss`. */
  issuer: string;
  /** Defaults to `<issuer>/protocol/openid-connect/certs`; separate because containers see internal host names. */
  jwksUrl?: string;
  /** Must be one of the token's `aud` values (default in deployments: `accanto-api`). */
  audience: string;
  /** Allow-list of signature algorithms; asymmetric only. Default `['RS256', 'PS256', 'ES256']`. */
  algorithms?: string[];
  /** Tolerance for `exp` and `nbf`. Default 5. */
  clockToleranceSeconds?: number;
  /** Client ids (`azp`) allowed to call; omit to accept any client of the realm. */
  allowedClients?: string[];
};

/** The claims of an access token that passed every check (Keycloak 26 shape). */
export type VerifiedToken = {
  iss: string;
  sub: string;
  aud: string | string[];
  azp: string;
  typ: 'Bearer';
  exp: number;
  iat?: number;
  preferred_username?: string;
  realm_access?: { roles?: unknown };
  /** String alias, array of aliases or object keyed by alias: read it with `organisationsOf`. */
  organization?: unknown;
};

export type InvalidTokenReason =
  | 'malformed'
  | 'algorithm-not-allowed'
  | 'unknown-key'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'wrong-type'
  | 'missing-claim'
  | 'invalid-claim'
  | 'client-not-allowed';

/** The token is not acceptable (answer 401). Carries a reason code only: never the token or its claims. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
  constructor(readonly reason: InvalidTokenReason) {
    super(`invalid access token: ${reason}`);
  }
}

/** The key set could not be fetched: the identity provider's fault, not the caller's (answer 503, not 401). */
export class KeySetUnavailableError extends Error {
  override readonly name = 'KeySetUnavailableError';
  constructor() {
    super('the identity provider key set is unavailable');
  }
}

export type TokenVerifier = { verify: (token: string) => Promise<VerifiedToken> };

export function createTokenVerifier(config: TokenVerifierConfig): TokenVerifier {
  const parsed = configSchema.safeParse(config);
  if (!parsed.success)
    throw new Error(`invalid token verifier configuration: ${z.prettifyError(parsed.error)}`);
  const { issuer, audience, algorithms, clockToleranceSeconds, allowedClients } = parsed.data;
  const jwksUrl = parsed.data.jwksUrl ?? `${issuer}/protocol/openid-connect/certs`;
  // jose caches the key set and refetches on an unknown `kid` at most once per cooldown (30 s),
  // so there is no call to the identity provider per request and rotation is picked up.
  const keySet = createRemoteJWKSet(new URL(jwksUrl));
  // A client sends the same token for minutes: verifying its RS256 signature again on every request
  // was a tenth of a registration's CPU. Only tokens that passed every check are kept, keyed by the
  // whole token string, and only until they expire.
  const verified = new Map<string, VerifiedToken>();

  return {
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if ((known.exp + clockToleranceSeconds) * 1000 > Date.now()) return known;
        verified.delete(token);
      }
      const result = await verifyOnce(token);
      if (verified.size >= verifiedTokensKept) verified.delete(verified.keys().next().value!);
      verified.set(token, result);
      return result;
    },
  };

  async function verifyOnce(token: string): Promise<VerifiedToken> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        issuer,
        audience,
        algorithms,
        clockTolerance: clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw translate(error);
    }
    // Keycloak also signs ID and refresh tokens with the realm keys: only access tokens may pass.
    if (payload.typ !== 'Bearer') throw new InvalidTokenError('wrong-type');
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new InvalidTokenError('invalid-claim');
    if (typeof payload.azp !== 'string' || payload.azp === '') throw new InvalidTokenError('missing-claim');
    if (allowedClients && !allowedClients.includes(payload.azp))
      throw new InvalidTokenError('client-not-allowed');
    return payload as VerifiedToken;
  }
}

// Bounds the memory of the cache: the oldest entry goes when a new token arrives at the limit.
const verifiedTokensKept = 10_000;

// jose errors carry the decoded claims (`payload`): they are translated, never wrapped as `cause`,
// so nothing personal reaches a log through the error chain.
function translate(error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return new InvalidTokenError('expired');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return new InvalidTokenError(claimReason(error as { claim?: unknown; reason?: unknown }));
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new InvalidTokenError('algorithm-not-allowed');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new InvalidTokenError('bad-signature');
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return new InvalidTokenError('unknown-key');
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
    case 'ERR_JWK_INVALID':
      return new InvalidTokenError('malformed');
    default:
      // Timeouts, refused connections, non-200 answers, unparsable key sets.
      return new KeySetUnavailableError();
  }
}

function claimReason({ claim, reason }: { claim?: unknown; reason?: unknown }): InvalidTokenReason {
  if (reason === 'missing') return 'missing-claim';
  if (claim === 'iss') return 'wrong-issuer';
  if (claim === 'aud') return 'wrong-audience';
  if (claim === 'nbf') return 'not-yet-valid';
  return 'invalid-claim';
}
