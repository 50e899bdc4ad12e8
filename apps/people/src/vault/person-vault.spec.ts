import { describe, expect, it } from '@jest/globals';
import { developmentMasterKey, PersonVault } from './person-vault.js';

const vault = new PersonVault(developmentMasterKey);
const alice = '01936b2e-0000-7000-8000-000000000001';
const bob = '01936b2e-0000-7000-8000-000000000002';

describe('PersonVault', () => {
  it('seals and opens a person’s data with their own key, and the ciphertext says nothing', () => {
    const { key, wrapped } = vault.newKey(alice);
    const data = { givenName: 'Amina', needs: [{ category: 'pregnancy', note: null }] };
    const sealed = vault.seal(key, alice, data);
    expect(sealed).not.toContain('Amina');
    expect(vault.open(vault.unwrap(alice, wrapped), alice, sealed)).toEqual(data);
    // A fresh IV each time: the same data never seals to the same text.
    expect(vault.seal(key, alice, data)).not.toBe(sealed);
  });

  it('refuses a sealed value or a wrapped key moved to another person', () => {
    const { key, wrapped } = vault.newKey(alice);
    const sealed = vault.seal(key, alice, { givenName: 'Amina' });
    expect(() => vault.open(key, bob, sealed)).toThrow();
    expect(() => vault.unwrap(bob, wrapped)).toThrow();
  });

  it('refuses a tampered ciphertext, another person’s key and another master key', () => {
    const { key } = vault.newKey(alice);
    const sealed = vault.seal(key, alice, { givenName: 'Amina' });
    const body = Buffer.from(sealed.slice(3), 'base64');
    body[body.length - 1] ^= 1;
    expect(() => vault.open(key, alice, `v1.${body.toString('base64')}`)).toThrow();
    expect(() => vault.open(vault.newKey(alice).key, alice, sealed)).toThrow();
    const other = new PersonVault(Buffer.alloc(32, 7).toString('base64'));
    expect(() => other.unwrap(alice, vault.newKey(alice).wrapped)).toThrow();
  });

  it('wants a 32-byte master key', () => {
    expect(() => new PersonVault(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
