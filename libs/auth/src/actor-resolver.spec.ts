import { describe, expect, it } from '@jest/globals';
import { ActorRefusedError, organisationsOf, resolveActor } from './actor-resolver.js';

describe('organisationsOf', () => {
  it('reads a single alias', () => {
    expect(organisationsOf('cri-milano')).toEqual(['cri-milano']);
  });

  it('reads an array of aliases', () => {
    expect(organisationsOf(['cri-milano', 'caritas-ambrosiana'])).toEqual([
      'cri-milano',
      'caritas-ambrosiana',
    ]);
  });

  it('reads the keys of an object keyed by alias', () => {
    const claim = { 'cri-milano': { id: 'a1' }, 'progetto-arca': { id: 'b2' } };
    expect(organisationsOf(claim)).toEqual(['cri-milano', 'progetto-arca']);
  });

  it.each([undefined, null, 42, true, '', [], {}, [42, null, {}]])('finds none in %p', (claim) => {
    expect(organisationsOf(claim)).toEqual([]);
  });

  it('drops entries that are not aliases and repeated ones', () => {
    expect(organisationsOf(['cri-milano', 7, 'CRI Milano', '../etc', 'cri-milano'])).toEqual(['cri-milano']);
  });
});

describe('resolveActor', () => {
  const token = (overrides: Record<string, unknown> = {}) => ({
    sub: 'user-1',
    realm_access: { roles: ['operator'] },
    organization: ['cri-milano'],
    ...overrides,
  });
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (error instanceof ActorRefusedError) return error.reason;
      throw error;
    }
    throw new Error('expected the actor to be refused');
  };

  it('acts for the only organisation of a single-organisation user', () => {
    expect(resolveActor(token())).toEqual({
      userId: 'user-1',
      organisation: 'cri-milano',
      roles: ['operator'],
    });
  });

  it('accepts the header when it names the only organisation', () => {
    expect(resolveActor(token(), 'cri-milano').organisation).toBe('cri-milano');
  });

  it('refuses a single-organisation user naming another organisation', () => {
    expect(refusal(() => resolveActor(token(), 'progetto-arca'))).toBe('not-a-member');
  });

  it('acts for the organisation a multi-organisation user names', () => {
    const member = token({ organization: { 'cri-milano': { id: 'a' }, 'caritas-ambrosiana': { id: 'b' } } });
    expect(resolveActor(member, 'caritas-ambrosiana').organisation).toBe('caritas-ambrosiana');
  });

  it('refuses a multi-organisation user naming none', () => {
    const member = token({ organization: ['cri-milano', 'caritas-ambrosiana'] });
    expect(refusal(() => resolveActor(member))).toBe('organisation-required');
    expect(refusal(() => resolveActor(member, ''))).toBe('organisation-required');
  });

  it('refuses a multi-organisation user naming one they do not belong to', () => {
    const member = token({ organization: ['cri-milano', 'caritas-ambrosiana'] });
    expect(refusal(() => resolveActor(member, 'progetto-arca'))).toBe('not-a-member');
  });

  it('refuses a user with no organisation, whatever they name', () => {
    expect(refusal(() => resolveActor(token({ organization: undefined })))).toBe('no-organisation');
    expect(refusal(() => resolveActor(token({ organization: [] }), 'cri-milano'))).toBe('no-organisation');
  });

  it('keeps only the known realm roles', () => {
    const realm = { roles: ['offline_access', 'coordinator', 'default-roles-accanto', 'operator', 'admin'] };
    expect(resolveActor(token({ realm_access: realm })).roles).toEqual(['operator', 'coordinator']);
  });

  it('gives no roles when realm_access is missing or garbage', () => {
    expect(resolveActor(token({ realm_access: undefined })).roles).toEqual([]);
    expect(resolveActor(token({ realm_access: { roles: 'coordinator' } })).roles).toEqual([]);
  });
});
