import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { asyncApiDocument } from '#contracts';

// Regenerates docs/asyncapi.json from the event catalog; a unit test fails when it is stale.
const file = resolve(import.meta.dirname, '../../docs/asyncapi.json');
writeFileSync(file, `${JSON.stringify(asyncApiDocument(), null, 2)}\n`);
console.log(`wrote ${file}`);
