import type { EntityManager } from '@mikro-orm/postgresql';
import { CompiledQuery, type QueryResult } from 'kysely';

/**
 * A statement with PostgreSQL's own parameters (`$1`, `$2`, …) in the EntityManager's transaction,
 * if it has one. `em.execute` formats every parameter into the SQL text on the client instead:
 * for large values (an event's JSON) that is most of a request's allocation, and arrays expand
 * into lists (see `arrayParameters`).
 */
export function nativeQuery<R = unknown>(
  em: EntityManager,
  sql: string,
  parameters: readonly unknown[],
): Promise<QueryResult<R>> {
  return em.getKysely().executeQuery(CompiledQuery.raw(sql, [...parameters]) as CompiledQuery<R>);
}
