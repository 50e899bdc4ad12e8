import pg from 'pg';
import { createMatchingDatabase, insertPersons } from './matching-pairs.js';
import { generateMatchingData, seededRandom } from './matching-data.js';
import { urlFor } from '#persistence';
import { startInfrastructure } from '#testing';

// How long a network card search takes among 100,000 persons (docs/adr/0016-network-cards.md), as
// `people_app` for the hub and for a partner that sees its own and 40 % consented records; three in
// ten persons carry aliases. Figures are printed, not saved.
//   npm run bench:cards
// PostgreSQL from DATABASE_URL, else the local server, else an embedded one, as every bench.
const infrastructure = await startInfrastructure();
const db = await createMatchingDatabase(infrastructure.databaseUrl);
const owner = new pg.Client({ connectionString: db.url });
await owner.connect();
const records = generateMatchingData({ seed: 7, records: 100_000 });
await insertPersons(owner, records, { consentShare: 0.4, random: seededRandom(7) });
await owner.query(`alter table person no force row level security`);
await owner.query(
  `update person set card_aliases = string_to_array(match_names, ' ') where abs(hashtext(id::text)) % 10 < 3`,
);
await owner.query(`vacuum analyze person`);
const app = new pg.Client({
  connectionString: urlFor(db.url, { name: 'people_app', password: 'accanto-dev' }),
});
await app.connect();
for (const [org, roles] of [
  ['centro-sammartini', 'hub'],
  ['partner-05', 'operator'],
]) {
  for (const alias of ['diallo', 'rosso', 'zzzz', null]) {
    const times: number[] = [];
    let n = 0;
    for (let i = 0; i < 7; i++) {
      await app.query('begin');
      await app.query(
        `select set_config('accanto.organisation', $1, true), set_config('accanto.roles', $2, true)`,
        [org, roles],
      );
      const t = performance.now();
      n = (await app.query('select * from person_cards(null, $1, null, null, 51)', [alias])).rowCount ?? 0;
      times.push(performance.now() - t);
      await app.query('commit');
    }
    times.sort((a, b) => a - b);
    console.log(
      `${roles}, alias ${alias ?? '(none)'}: ${n} cards, median ${times[3].toFixed(1)} ms, max ${times[6].toFixed(1)} ms`,
    );
  }
}
await app.end();
await owner.end();
await db.drop();
await infrastructure.stop();
