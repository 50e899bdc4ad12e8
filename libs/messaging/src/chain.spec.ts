import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { canonicalJson, chainHash, genesisHash } from './chain.js';

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: null, e: true }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"e":true,"f":null}]},"b":1}',
    );
  });

  it('serialises numbers and strings as ECMAScript does (the JCS rule)', () => {
    expect(canonicalJson({ n: 1e21, m: 0.000001, z: -0, s: 'é\u2028"' })).toBe(
      '{"m":0.000001,"n":1e+21,"s":"é\u2028\\"","z":0}',
    );
  });

  it('orders keys by UTF-16 code units, not by locale', () => {
    expect(canonicalJson({ é: 1, z: 2, Z: 3 })).toBe('{"Z":3,"z":2,"é":1}');
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
    expect(() => canonicalJson(undefined)).toThrow();
  });
});

describe('chain hash', () => {
  it('is sha256 of the previous hash followed by the canonical envelope', () => {
    const envelope = { id: 'x', payload: { b: 2, a: 1 } };
    const expected = createHash('sha256')
      .update(genesisHash + '{"id":"x","payload":{"a":1,"b":2}}')
      .digest('hex');
    expect(chainHash(genesisHash, envelope)).toBe(expected);
  });

  it('does not depend on key order but does on every value and on the previous hash', () => {
    const hash = chainHash(genesisHash, { a: 1, b: 2 });
    expect(chainHash(genesisHash, { b: 2, a: 1 })).toBe(hash);
    expect(chainHash(genesisHash, { a: 1, b: 3 })).not.toBe(hash);
    expect(chainHash(hash, { a: 1, b: 2 })).not.toBe(hash);
  });
});
