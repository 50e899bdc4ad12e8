import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { describeSubject, parseEnvelope, type Actor } from '#contracts';
import { canonicalJson } from '#messaging';
import { developmentMasterKey, PersonVault, sealRow } from '../../apps/people/src/vault/person-vault.js';

const vault = new PersonVault(developmentMasterKey);

const sameNames = process.env.BENCH_NAMES === 'same';
const name = (fixed: string) =>
  sameNames
    ? fixed
    : Array.from(fixed, (_, i) => String.fromCharCode((i ? 97 : 65) + Math.floor(Math.random() * 26))).join(
        '',
      );

/**
 * apps/people/test/people-app.ts `aPerson()` with random names of the same lengths (BENCH_NAMES=same
 * keeps aPerson()'s). The app's matcher follows person-registered and compares each new record with
 * those of similar names: thousands of copies of one name are its worst case (every registration
 * a duplicate of all the others), not a night's registrations.
 */
export function aRegistration() {
  return {
    givenName: name('Ionuț'),
    familyName: name('Popescu'),
    nameQuality: 'full',
    aliases: [{ name: name('Johnny'), kind: 'street-name' as const }],
    birthDate: '1979-03-14',
    birthDateQuality: 'full',
    gender: 'uomo',
    nationality: 'RO',
    languages: ['ro', 'it'],
    usualArea: 'stazione-centrale',
  };
}

const subject = 'accanto.people.person-registered.v1';

/**
 * The database work of one registration without the app: as `people_app` (so row-level security
 * checks the insert, as for the app), tenant settings, the same `person` row, then the event
 * staged exactly like EventLog.append — envelope validated, canonical JSON, one event_log_pending
 * row — and commit, where the database chains it into event_log: 6 statements with the data key's. The app's
 * registration also writes an access_log row and its matcher then runs on the event.
 */
async function registerRaw(client: pg.Client, actor: Actor): Promise<void> {
  const id = uuidv7();
  const now = new Date();
  await client.query('begin');
  try {
    await client.query(
      `select set_config('accanto.organisation', $1, true), set_config('accanto.roles', $2, true)`,
      [actor.organisation, actor.roles.join(',')],
    );
    const r = aRegistration();
    // The row MikroORM inserts for this body (columns left out take their defaults or stay null),
    // its identity sealed with a new data key as the app does.
    const { sealed, wrappedKey } = sealRow(vault, id, r);
    const person: Record<string, unknown> = {
      id,
      owner_organisation: actor.organisation,
      sealed,
      name_quality: r.nameQuality,
      birth_date_quality: r.birthDateQuality,
      nationality: r.nationality,
      languages: JSON.stringify(r.languages),
      usual_area: r.usualArea,
      search_text: `${r.givenName} ${r.familyName} ${r.aliases[0].name}`.toLowerCase(),
      created_by: actor.userId,
      created_at: now,
      updated_at: now,
    };
    const columns = Object.keys(person);
    const values = columns.map((_, i) => `$${i + 1}`);
    await client.query(`insert into person (${columns}) values (${values})`, Object.values(person));
    await client.query('insert into person_key (person_id, wrapped_key) values ($1, $2)', [id, wrappedKey]);
    const envelope = parseEnvelope({
      id: uuidv7(),
      ...describeSubject(subject),
      occurredAt: now.toISOString(),
      recordedAt: now.toISOString(),
      organisation: actor.organisation,
      actor,
      correlationId: uuidv7(),
      causationId: null,
      subjects: { personId: id },
      payload: { personId: id, identified: true, ageBand: '45-54', usualArea: r.usualArea },
    });
    // As EventLog.append: staged with its canonical JSON; the database chains it at commit.
    // The app stores the W3C context of the request span: a traceparent of the same length.
    const trace = JSON.stringify({
      traceparent: `00-${randomUUID().replaceAll('-', '')}-${'a1'.repeat(8)}-01`,
    });
    await client.query(
      `insert into event_log_pending (id, subject, organisation, envelope, canonical, trace_context)
       values ($1, $2, $3, $4::jsonb, $5, $6::jsonb)`,
      [envelope.id, subject, actor.organisation, JSON.stringify(envelope), canonicalJson(envelope), trace],
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

/**
 * Committed registrations per second with `concurrency` connections, each looping for `seconds`;
 * `sample` runs just before and after the timed loop, while the connections are open.
 */
export async function rawInsertRate<T>(
  appUrl: string,
  actors: Actor[],
  concurrency: number,
  seconds: number,
  sample: () => T,
) {
  const clients = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const client = new pg.Client({ connectionString: appUrl });
      await client.connect();
      return client;
    }),
  );
  let committed = 0;
  const before = sample();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    clients.map(async (client, worker) => {
      for (let i = worker; performance.now() < deadline; i += concurrency) {
        await registerRaw(client, actors[i % actors.length]);
        committed += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const after = sample();
  await Promise.all(clients.map((client) => client.end()));
  return { concurrency, committed, tps: committed / elapsed, before, after };
}
