import { describe, expect, it } from '@jest/globals';
import { arrayParameters } from './tenancy.js';

describe('array parameters', () => {
  it('turn arrays into PostgreSQL array literals, quoting what needs it, and leave scalars alone', () => {
    expect(arrayParameters(['x', 3, ['a:jana', 'p:b|c', 'say "hi"', 'back\\slash'], []])).toEqual([
      'x',
      3,
      '{"a:jana","p:b|c","say \\"hi\\"","back\\\\slash"}',
      '{}',
    ]);
  });
});
