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

/** The five sides every endpoint's authorization is tested from (the standards): its own organisation, another partner, the hub, the lead body, an auditor. */
export type MatrixActor = 'owner' | 'other' | 'hub' | 'lead' | 'auditor';
export const matrixActors: MatrixActor[] = ['owner', 'other', 'hub', 'lead', 'auditor'];

/** Demo users (deploy/keycloak) for each side: field staff, or the partners' coordinators where only they may act. */
export const matrixUsers: Record<'operators' | 'coordinators', Record<MatrixActor, string>> = {
  operators: {
    owner: 'volontari-milano-aperta.operator',
    other: 'casa-della-carita.operator',
    hub: 'centro-sammartini.hub',
    lead: 'cri-milano.lead',
    auditor: 'auditors.auditor',
  },
  coordinators: {
    owner: 'volontari-milano-aperta.coordinator',
    other: 'casa-della-carita.coordinator',
    hub: 'centro-sammartini.hub',
    lead: 'cri-milano.lead',
    auditor: 'auditors.auditor',
  },
};
