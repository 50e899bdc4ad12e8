import { v7 as uuidv7 } from 'uuid';
import { guardedOperations } from './openapi.js';
import type { Call } from './test-app.js';

export type BadInputCase = { operation: string; case: string; method: string; path: string; body?: unknown };
export type BadInputOutcome = BadInputCase & { user: string | null; status: number; problem: boolean };

/**
 * Malformed requests for every operation of an app's OpenAPI document that needs a token:
 * - each path parameter not an id;
 * - a body that is not JSON, not an object, or holds a field the schema does not know;
 * - each query parameter past its documented bound (length, maximum, date-time format).
 * The document is generated from the same schemas that validate requests (api.md), so a route that
 * forgot its schema, or a bound it does not enforce, shows up here.
 */
export async function badInputCases(url: string, prefix: string): Promise<BadInputCase[]> {
  const cases: BadInputCase[] = [];
  for (const { name: operationName, method, path: template, operation } of await guardedOperations(
    url,
    prefix,
  )) {
    const add = (name: string, path: string, body?: unknown) =>
      cases.push({ operation: operationName, case: name, method, path, body });
    const validPath = template.replace(/\{\w+\}/g, () => uuidv7());
    const body = operation.requestBody ? {} : undefined;
    for (const name of template.match(/\{\w+\}/g) ?? []) {
      add(
        `path ${name} not an id`,
        template.replace(/\{\w+\}/g, (p) => (p === name ? 'not-an-id' : uuidv7())),
        body,
      );
    }
    if (operation.requestBody) {
      add('body not JSON', validPath, '{"unterminated": ');
      add('body not an object', validPath, '[]');
      add('body with an unknown field', validPath, { unknownField: true });
    }
    for (const parameter of operation.parameters ?? []) {
      if (parameter.in !== 'query') continue;
      const { maxLength, maximum, format } = parameter.schema ?? {};
      const past =
        maxLength !== undefined
          ? 'x'.repeat(maxLength + 1)
          : maximum !== undefined
            ? String(maximum + 1)
            : format === 'date-time'
              ? 'last-night'
              : null;
      if (past !== null)
        add(`query ${parameter.name} past its bound`, `${validPath}?${parameter.name}=${past}`);
    }
  }
  return cases;
}

/**
 * Sends each case as the first of `users` the route admits (a 401 or 403 says it does not: roles are
 * checked before input), and reports what came back.
 */
export async function sendBadInput(
  cases: BadInputCase[],
  users: string[],
  call: (user: string, method: string, path: string, body?: unknown) => Promise<Call>,
): Promise<BadInputOutcome[]> {
  const outcomes: BadInputOutcome[] = [];
  for (const badInput of cases) {
    let outcome: BadInputOutcome = { ...badInput, user: null, status: 403, problem: false };
    for (const user of users) {
      const response = await call(user, badInput.method, badInput.path, badInput.body);
      const problem = /^application\/problem\+json/.test(response.headers.get('content-type') ?? '');
      outcome = { ...badInput, user, status: response.status, problem };
      if (response.status !== 401 && response.status !== 403) break;
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

/** The outcomes that are not what api.md asks for bad input: a 4xx problem+json past the role check. */
export function notRefusedAsBadInput(outcomes: BadInputOutcome[]): BadInputOutcome[] {
  return outcomes.filter(
    (o) => o.status < 400 || o.status >= 500 || o.status === 401 || o.status === 403 || !o.problem,
  );
}
