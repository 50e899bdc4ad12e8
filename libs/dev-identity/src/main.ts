import { startDevIdentityProvider } from './dev-identity.js';

// Standalone: `node dist/libs/dev-identity/src/main.js`. PORT (8080), HOST (127.0.0.1), PUBLIC_URL, REALM_FILE.
const idp = await startDevIdentityProvider({
  port: Number(process.env.PORT ?? 8080),
  host: process.env.HOST,
  publicUrl: process.env.PUBLIC_URL,
  realmFile: process.env.REALM_FILE,
});
console.log(`Development identity provider (NOT Keycloak, never for production): ${idp.issuer}`);
console.log(`  discovery: ${idp.issuer}/.well-known/openid-configuration`);
console.log(
  `  token:     curl -s ${idp.tokenEndpoint} -d grant_type=password -d client_id=accanto-web ` +
    `-d username=cri-milano.operator -d password=accanto-dev`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void idp.close());
