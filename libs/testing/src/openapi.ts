/**
 * Every operation an app's OpenAPI document describes as needing a token, as "METHOD /path"
 * (`GET /people/persons/{id}`): what an authorization matrix must cover, so that a new endpoint
 * without its tests fails the suite. Public operations (`security: []`: health) are left out.
 */
export async function operationsOf(url: string, prefix: string): Promise<string[]> {
  const response = await fetch(`${url}/${prefix}/openapi.json`);
  if (response.status !== 200) throw new Error(`${prefix}/openapi.json: ${response.status}`);
  const document = (await response.json()) as {
    paths: Record<string, Record<string, { security?: unknown[] }>>;
  };
  const methods = new Set(['get', 'put', 'post', 'patch', 'delete']);
  return Object.entries(document.paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => methods.has(method) && operations[method].security?.length !== 0)
        .map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}
