export type OpenApiParameter = {
  in: string;
  name: string;
  schema?: { maxLength?: number; maximum?: number; format?: string };
};
export type OpenApiOperation = {
  parameters?: OpenApiParameter[];
  requestBody?: unknown;
  security?: unknown[];
};

const methods = new Set(['get', 'put', 'post', 'patch', 'delete']);

/**
 * The operations of an app's OpenAPI document that need a token, named "METHOD /path"
 * (`GET /people/persons/{id}`). Public ones (`security: []`: health) are left out.
 */
export async function guardedOperations(
  url: string,
  prefix: string,
): Promise<Array<{ name: string; method: string; path: string; operation: OpenApiOperation }>> {
  const response = await fetch(`${url}/${prefix}/openapi.json`);
  if (response.status !== 200) throw new Error(`${prefix}/openapi.json: ${response.status}`);
  const document = (await response.json()) as { paths: Record<string, Record<string, OpenApiOperation>> };
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([method, operation]) => methods.has(method) && operation.security?.length !== 0)
      .map(([method, operation]) => ({
        name: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        operation,
      })),
  );
}

/**
 * What an authorization matrix must cover, so that a new endpoint without its tests fails the suite.
 */
export async function operationsOf(url: string, prefix: string): Promise<string[]> {
  return (await guardedOperations(url, prefix)).map((operation) => operation.name).sort();
}
