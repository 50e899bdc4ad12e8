/**
 * An access token for a demo user through the password grant (Keycloak "direct access grants"),
 * from the development identity provider or a Keycloak with the same realm.
 */
export async function fetchToken(
  idp: { tokenEndpoint: string },
  username: string,
  options: { password?: string; clientId?: string; scope?: string } = {},
): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'password',
    client_id: options.clientId ?? 'accanto-web',
    username,
    password: options.password ?? 'accanto-dev',
  });
  if (options.scope) form.set('scope', options.scope);
  const response = await fetch(idp.tokenEndpoint, { method: 'POST', body: form });
  const body = (await response.json()) as {
    access_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !body.access_token) {
    throw new Error(
      `no token for ${username}: ${response.status} ${body.error ?? ''} ${body.error_description ?? ''}`.trim(),
    );
  }
  return body.access_token;
}
