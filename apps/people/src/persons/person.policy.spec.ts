import { describe, expect, it } from '@jest/globals';
import type { Actor } from '#contracts';
import { canChangeRestriction, canWrite, readAccess, type ConsentTerms } from './person.policy.js';

const now = new Date('2026-11-23T22:00:00Z');
const person = {
  ownerOrganisation: 'volontari-milano-aperta',
  restricted: false,
  restrictedTo: [] as string[],
};
const restricted = { ...person, restricted: true, restrictedTo: ['partner-07'] };
const actor = (organisation: string, ...roles: Actor['roles']): Actor => ({
  userId: 'u',
  organisation,
  roles,
});
const consent = (overrides: Partial<ConsentTerms> = {}): ConsentTerms => ({
  id: 'c1',
  scope: 'organisations',
  organisations: ['casa-della-carita'],
  shares: 'record',
  givenAt: new Date('2026-11-01T00:00:00Z'),
  expiresAt: null,
  revokedAt: null,
  ...overrides,
});

describe('reading a person', () => {
  it('given a consent that shares only the network card, then the partner does not read the record', () => {
    const cardOnly = consent({ scope: 'network', organisations: [], shares: 'card' });
    expect(readAccess(actor('casa-della-carita', 'operator'), person, [cardOnly], now)).toBeNull();
  });

  it('given the owner organisation, then it reads as owner', () => {
    expect(readAccess(actor('volontari-milano-aperta', 'operator'), person, [], now)).toEqual({
      basis: 'owner',
      consentId: null,
    });
  });

  it('given another partner without consent, then the record does not exist for it', () => {
    expect(readAccess(actor('casa-della-carita', 'operator'), person, [], now)).toBeNull();
  });

  it('given a consent naming the partner, then it reads under that consent', () => {
    expect(readAccess(actor('casa-della-carita', 'coordinator'), person, [consent()], now)).toEqual({
      basis: 'consent',
      consentId: 'c1',
    });
  });

  it('given a consent naming someone else, then it does not read', () => {
    expect(readAccess(actor('partner-07', 'operator'), person, [consent()], now)).toBeNull();
  });

  it('given a network consent, then every partner reads', () => {
    expect(
      readAccess(
        actor('partner-07', 'operator'),
        person,
        [consent({ scope: 'network', organisations: [] })],
        now,
      ),
    ).not.toBeNull();
  });

  it.each([
    ['revoked', { revokedAt: new Date('2026-11-20T00:00:00Z') }],
    ['expired', { expiresAt: new Date('2026-11-23T21:59:59Z') }],
    ['not yet given', { givenAt: new Date('2026-11-24T00:00:00Z') }],
  ])('given a %s consent, then the record is hidden again', (_label, overrides) => {
    expect(readAccess(actor('casa-della-carita', 'operator'), person, [consent(overrides)], now)).toBeNull();
  });

  it('given the hub, then it reads on the hub basis', () => {
    expect(readAccess(actor('centro-sammartini', 'hub'), person, [], now)).toEqual({
      basis: 'hub',
      consentId: null,
    });
  });

  it.each(['lead', 'auditor', 'residence-desk'] as const)(
    'given the %s role, then no personal data',
    (role) => {
      expect(
        readAccess(
          actor('cri-milano', role),
          person,
          [consent({ scope: 'network', organisations: [] })],
          now,
        ),
      ).toBeNull();
    },
  );

  it('given the owner alias but only an auditor role, then no access', () => {
    expect(readAccess(actor('volontari-milano-aperta', 'auditor'), person, [], now)).toBeNull();
  });
});

describe('writing a person', () => {
  it('only the owner organisation writes; consent and hub read only', () => {
    expect(canWrite(actor('volontari-milano-aperta', 'operator'), person)).toBe(true);
    expect(canWrite(actor('casa-della-carita', 'operator'), person)).toBe(false);
    expect(canWrite(actor('centro-sammartini', 'hub'), person)).toBe(false);
  });
});

describe('a restricted person (violence, trafficking, anonymity)', () => {
  const network = consent({ scope: 'network', organisations: [] });

  it('given a network consent, then partners still do not read it', () => {
    expect(readAccess(actor('casa-della-carita', 'operator'), restricted, [network], now)).toBeNull();
  });

  it('given the hub not named, then the hub does not read it', () => {
    expect(readAccess(actor('centro-sammartini', 'hub'), restricted, [], now)).toBeNull();
  });

  it('given an organisation the owner named, then it reads on the restriction basis', () => {
    expect(readAccess(actor('partner-07', 'operator'), restricted, [], now)).toEqual({
      basis: 'restriction',
      consentId: null,
    });
    expect(
      readAccess(
        actor('centro-sammartini', 'hub'),
        { ...restricted, restrictedTo: ['centro-sammartini'] },
        [],
        now,
      ),
    ).toEqual({ basis: 'restriction', consentId: null });
  });

  it('given the owner, then it reads as owner', () => {
    expect(readAccess(actor('volontari-milano-aperta', 'operator'), restricted, [], now)?.basis).toBe(
      'owner',
    );
  });

  it('an operator may protect; only a coordinator lifts the protection', () => {
    expect(canChangeRestriction(actor('volontari-milano-aperta', 'operator'), person, true)).toBe(true);
    expect(canChangeRestriction(actor('volontari-milano-aperta', 'operator'), restricted, false)).toBe(false);
    expect(canChangeRestriction(actor('volontari-milano-aperta', 'coordinator'), restricted, false)).toBe(
      true,
    );
    expect(canChangeRestriction(actor('partner-07', 'coordinator'), restricted, false)).toBe(false);
  });
});
