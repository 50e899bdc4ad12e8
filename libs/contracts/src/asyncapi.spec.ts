import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { asyncApiDocument } from './asyncapi.js';
import { catalog } from './catalog.js';

describe('AsyncAPI document', () => {
  it('has a channel per catalog subject, addressed by the subject', () => {
    const document = asyncApiDocument() as { channels: Record<string, { address: string }> };
    expect(Object.values(document.channels).map((c) => c.address)).toEqual(Object.keys(catalog));
  });

  it('the committed docs/asyncapi.json is up to date (npm run asyncapi)', () => {
    const committed = JSON.parse(
      readFileSync(resolve(import.meta.dirname, '../../../docs/asyncapi.json'), 'utf8'),
    );
    expect(committed).toEqual(asyncApiDocument());
  });
});
