import type { Actor } from '#contracts';

/**
 * Transaction-local settings that row-level security policies read (`current_setting('accanto.…', true)`).
 * Transaction-local only: pooled connections would leak session settings to the next tenant.
 * See docs/adr/0003-tenancy-on-keycloak-organisations.md.
 */
export const tenantSetting = 'accanto.organisation';
export const rolesSetting = 'accanto.roles';

export function tenantSession(actor: Pick<Actor, 'organisation' | 'roles'>): {
  variables: Record<string, string>;
} {
  return { variables: { [tenantSetting]: actor.organisation, [rolesSetting]: actor.roles.join(',') } };
}

/** SQL expression true when the current transaction acts for the row's organisation. */
export function ownerIs(column: string): string {
  return `${column} = current_setting('${tenantSetting}', true)`;
}

/** SQL expression true when the current transaction's actor holds `role`. */
export function actorHasRole(role: string): string {
  return `'${role}' = any(string_to_array(current_setting('${rolesSetting}', true), ','))`;
}

/** SQL expression true when the current transaction's actor holds any of `roles`. */
export function actorHasAnyRole(roles: string[]): string {
  return `string_to_array(current_setting('${rolesSetting}', true), ',') && array[${roles.map((r) => `'${r}'`).join(',')}]`;
}

/**
 * MikroORM expands an array bound to `?` into a list of values (for `in (?)`); a PostgreSQL array
 * parameter (`?::text[]`, `= any(?::uuid[])`) must travel as one array literal instead.
 */
export function arrayParameters(params: readonly unknown[]): unknown[] {
  return params.map((value) => (Array.isArray(value) ? arrayLiteral(value.map(String)) : value));
}

function arrayLiteral(values: string[]): string {
  return `{${values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}
