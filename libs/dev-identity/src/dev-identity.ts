import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type JWK,
} from 'jose';
import { organizationClaimShapeOf, type OrganizationClaimShape } from './claims.js';
import { loginPage } from './login-page.js';
import { createProvider } from './provider.js';
import { authenticate, loadRealm, type Realm } from './realm.js';

export type DevIdentityOptions = {
  /** Defaults to deploy/keycloak/accanto-realm.json. */
  realmFile?: string;
  /** Defaults to 0: any free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Origin the issuer is built on when clients reach this provider under another host name. */
  publicUrl?: string;
  /** Defaults to the shape the realm file's organization mapper is configured for (an array). */
  organizationClaimShape?: OrganizationClaimShape;
};

export type DevIdentityProvider = {
  /** Where this process listens, e.g. http://127.0.0.1:8080. */
  url: string;
  /** `<publicUrl or url>/realms/accanto`, the `iss` of every token. */
  issuer: string;
  jwksUri: string;
  tokenEndpoint: string;
  realm: Realm;
  /** Signs any payload with the realm's key; defaults: `iss`, `iat`, `jti`, `typ: Bearer`, `exp` from the realm's lifespan. */
  signAccessToken(claims: Record<string, unknown>, options?: { expiresInSeconds?: number }): Promise<string>;
  close(): Promise<void>;
};

const USERINFO_CLAIMS = [
  'sub',
  'email_verified',
  'organization',
  'name',
  'preferred_username',
  'given_name',
  'family_name',
  'email',
];

export async function startDevIdentityProvider(
  options: DevIdentityOptions = {},
): Promise<DevIdentityProvider> {
  // The one read of process.env outside a main.ts: a safety interlock must not depend on its caller.
  if (process.env.NODE_ENV === 'production') {
    throw new Error(
      'The development identity provider refuses to start with NODE_ENV=production: its users, passwords and ' +
        'client secrets are public. Point the services at Keycloak (KEYCLOAK_URL) instead.',
    );
  }
  const realm = loadRealm(options.realmFile);
  const shape = options.organizationClaimShape ?? organizationClaimShapeOf(realm);
  const host = options.host ?? '127.0.0.1';

  // Listen first: with port 0 the issuer is only known once the port is.
  let handle: RequestListener = (_req, res) => send(res, 503, { error: 'starting' });
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${['0.0.0.0', '::'].includes(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host}:${port}`;
  const mount = `/realms/${realm.realm}`;
  const issuer = `${(options.publicUrl ?? url).replace(/\/$/, '')}${mount}`;

  const started = await createRealmKey()
    .then((key) => ({
      ...key,
      provider: createProvider({ realm, issuer, mount, shape, privateJwk: key.privateJwk }),
    }))
    .catch((error: unknown) => {
      server.close();
      throw error;
    });
  const { privateKey, publicJwk, provider } = started;
  const keySet = createLocalJWKSet({ keys: [publicJwk] });
  const callback = provider.callback();

  const userinfo = async (req: IncomingMessage, res: ServerResponse) => {
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    try {
      const { payload } = await jwtVerify(token ?? '', keySet, { issuer, algorithms: ['RS256'] });
      if (payload.typ !== 'Bearer') throw new Error('not an access token');
      send(
        res,
        200,
        Object.fromEntries(USERINFO_CLAIMS.filter((claim) => claim in payload).map((c) => [c, payload[c]])),
      );
    } catch {
      res.setHeader('WWW-Authenticate', `Bearer realm="${realm.realm}", error="invalid_token"`);
      send(res, 401, { error: 'invalid_token', error_description: 'Token verification failed' });
    }
  };

  const login = async (req: IncomingMessage, res: ServerResponse) => {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name !== 'login')
      return send(res, 400, { error: `unexpected prompt ${details.prompt.name}` });
    const page = {
      action: (req.url ?? '').split('?')[0],
      realmName: realm.realm,
      notice: realm.attributes['accanto.notice'],
    };
    if (req.method !== 'POST') {
      return sendHtml(res, loginPage({ ...page, username: String(details.params.login_hint ?? '') }));
    }
    const form = await readForm(req);
    const result = authenticate(realm, form.get('username') ?? '', form.get('password') ?? '');
    if ('refusal' in result) {
      const error =
        result.refusal === 'invalid-credentials'
          ? 'Invalid username or password.'
          : `Sign-in refused: ${result.refusal}.`;
      return sendHtml(res, loginPage({ ...page, username: form.get('username') ?? '', error }));
    }
    await provider.interactionFinished(req, res, { login: { accountId: result.user.id } });
  };

  handle = (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const respond = async () => {
      if (path === `${mount}/protocol/openid-connect/userinfo`) return userinfo(req, res);
      if (path.startsWith(`${mount}/login-actions/`)) return login(req, res);
      if (path === mount || path.startsWith(`${mount}/`)) {
        // oidc-provider routes relative to its mount point and rebuilds absolute URLs from originalUrl.
        Object.assign(req, { originalUrl: req.url });
        req.url = (req.url ?? '').slice(mount.length) || '/';
        return callback(req, res);
      }
      send(res, 404, { error: 'not_found' });
    };
    respond().catch((error: unknown) => {
      if (!res.headersSent) send(res, 400, { error: 'invalid_request', error_description: String(error) });
    });
  };

  return {
    url,
    issuer,
    jwksUri: `${url}${mount}/protocol/openid-connect/certs`,
    tokenEndpoint: `${url}${mount}/protocol/openid-connect/token`,
    realm,
    async signAccessToken(claims, { expiresInSeconds } = {}) {
      const now = Math.floor(Date.now() / 1000);
      const exp =
        expiresInSeconds !== undefined
          ? now + expiresInSeconds
          : (claims.exp ?? now + realm.accessTokenLifespan);
      const payload: Record<string, unknown> = {
        iat: now,
        jti: randomUUID(),
        iss: issuer,
        typ: 'Bearer',
        ...claims,
        exp,
      };
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: publicJwk.kid })
        .sign(privateKey);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

// A fresh key per start: no private key in the repository, and tokens from an earlier run stop verifying.
async function createRealmKey() {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk: JWK = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    privateKey,
    publicJwk: { ...publicJwk, kid, alg: 'RS256', use: 'sig' },
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendHtml(res: ServerResponse, html: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
