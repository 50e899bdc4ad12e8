import type { Actor } from '#contracts';
import { isPartnerStaff } from './person.policy.js';

// Reads skip the domain (style.md rule 14). The visibility predicate is person.policy.ts in SQL;
// row-level security checks the same again underneath.

type Placeholder = (value: unknown) => string;

/** The active consent through which the actor reads a row, as a correlated subquery (null: none). */
function consentFor(actor: Actor, now: Date, p: Placeholder): string {
  return `(select c.id from consent c
      where c.person_id = person.id and c.shares = 'record' and c.revoked_at is null
        and c.given_at <= ${p(now)}::timestamptz
        and (c.expires_at is null or c.expires_at > ${p(now)}::timestamptz)
        and (c.scope = 'network' or ${p(actor.organisation)} = any(c.organisations))
      order by c.given_at limit 1)`;
}

/** person.policy.ts's readAccess over the `person` table, with positional parameters from `p`. */
function visibility(actor: Actor, now: Date, p: Placeholder): string {
  // A restricted person is readable only by its owner and the organisations it names.
  const named = () => `(person.restricted and ${p(actor.organisation)} = any(person.restricted_to))`;
  const visible: string[] = [];
  if (isPartnerStaff(actor)) {
    visible.push(
      `person.owner_organisation = ${p(actor.organisation)}`,
      `(not person.restricted and ${consentFor(actor, now, p)} is not null)`,
      named(),
    );
  }
  if (actor.roles.includes('hub')) visible.push('not person.restricted', named());
  return `(${visible.join(' or ') || 'false'})`;
}

/** The visibility predicate on its own, for queries that compose it (match candidates). */
export function visibilitySql(actor: Actor, now: Date): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const sql = visibility(actor, now, (value) => {
    params.push(value);
    return '?';
  });
  return { sql, params };
}

export function visiblePersonsSql(
  actor: Actor,
  options: {
    search: string | null;
    cursor: { id?: string; offset?: number } | undefined;
    limit: number;
    now: Date;
  },
): { sql: string; params: unknown[] } {
  // Positional `?` placeholders: every fragment below is built in the order it appears in the SQL.
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return '?';
  };
  const select = `select person.*, ${consentFor(actor, options.now, p)} as consent_id from person`;
  // A forgotten person is no longer listed, not even to its owner (who gets 410 on the id).
  const where = [visibility(actor, options.now, p), 'person.forgotten_at is null'];
  let order = 'person.id';
  if (options.search !== null) {
    // Search never finds a restricted person for anyone but its owner (a name typed is a question asked).
    where.push(`(not person.restricted or person.owner_organisation = ${p(actor.organisation)})`);
    // word_similarity tolerates typos within a name; the threshold was tuned on accented and misspelt names.
    where.push(
      `(word_similarity(${p(options.search)}, person.search_text) >= 0.45 or person.search_text like '%' || ${p(options.search)} || '%')`,
    );
    order = `word_similarity(${p(options.search)}, person.search_text) desc, person.id`;
  } else if (options.cursor?.id) {
    where.push(`person.id > ${p(options.cursor.id)}`);
  }
  const limit = ` limit ${p(options.limit)}`;
  const offset = options.search !== null ? ` offset ${p(options.cursor?.offset ?? 0)}` : '';
  return { sql: `${select} where ${where.join(' and ')} order by ${order}${limit}${offset}`, params };
}
