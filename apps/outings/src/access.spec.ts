import { describe, expect, it } from '@jest/globals';
import type { Actor, Role } from '#contracts';
import { canManageUnit, canRead, canWriteOuting, contactAccess, notShared, seesTeam } from './access.js';

const actor = (organisation: string, ...roles: Role[]): Actor => ({ userId: 'u', organisation, roles });
const owned = { organisation: 'casa-della-carita' };

describe('who reads units and outings', () => {
  it('every outreach role reads them; a residence desk does not', () => {
    for (const role of ['operator', 'coordinator', 'hub', 'lead', 'auditor'] as const) {
      expect(canRead(actor('partner-09', role))).toBe(true);
    }
    expect(canRead(actor('residenzami', 'residence-desk'))).toBe(false);
  });
});

describe('who writes them', () => {
  it('a partner’s coordinators manage its units; its operators and other partners do not', () => {
    expect(canManageUnit(actor('casa-della-carita', 'coordinator'), owned)).toBe(true);
    expect(canManageUnit(actor('casa-della-carita', 'operator'), owned)).toBe(false);
    expect(canManageUnit(actor('partner-04', 'coordinator'), owned)).toBe(false);
  });

  it('the owner’s staff run its outings and see its team; the hub and the lead body only follow them', () => {
    expect(canWriteOuting(actor('casa-della-carita', 'operator'), owned)).toBe(true);
    expect(seesTeam(actor('casa-della-carita', 'operator'), owned)).toBe(true);
    // The lead body is itself a partner (cri-milano), but its lead role alone writes nothing.
    expect(canWriteOuting(actor('casa-della-carita', 'lead'), owned)).toBe(false);
    expect(canWriteOuting(actor('centro-sammartini', 'hub'), owned)).toBe(false);
    expect(seesTeam(actor('partner-04', 'coordinator'), owned)).toBe(false);
  });
});

describe('who reads a street contact', () => {
  it('the owner’s staff and the hub; not other partners, the lead body or auditors', () => {
    expect(contactAccess(actor('casa-della-carita', 'operator'), owned)).toBe('owner');
    expect(contactAccess(actor('centro-sammartini', 'hub'), owned)).toBe('hub');
    expect(contactAccess(actor('partner-04', 'coordinator'), owned)).toBeNull();
    expect(contactAccess(actor('cri-milano', 'lead'), owned)).toBeNull();
    expect(contactAccess(actor('auditors', 'auditor'), owned)).toBeNull();
  });

  it('the hub reads a person at special risk’s contacts only where the owner named it', () => {
    const hub = actor('centro-sammartini', 'hub');
    const restricted = (restrictedTo: string[]) => ({ ...notShared, restrictedTo });
    expect(contactAccess(hub, owned, restricted([]))).toBeNull();
    expect(contactAccess(hub, owned, restricted(['centro-sammartini']))).toBe('hub');
    // The owner's own staff read them whatever the restriction says.
    expect(contactAccess(actor('casa-della-carita', 'operator'), owned, restricted([]))).toBe('owner');
  });

  it('other partners read a person’s contacts as they see the person, never an anonymous one', () => {
    const aboutPerson = { ...owned, personId: '0190a0b0-0000-7000-8000-000000000001' };
    const partner = actor('partner-04', 'operator');
    expect(contactAccess(partner, aboutPerson, { ...notShared, owner: 'partner-04' })).toBe('person');
    expect(contactAccess(partner, aboutPerson, { ...notShared, consentedTo: ['partner-04'] })).toBe('person');
    expect(contactAccess(partner, aboutPerson, { ...notShared, consentedTo: 'network' })).toBe('person');
    expect(contactAccess(partner, aboutPerson, { ...notShared, consentedTo: ['partner-05'] })).toBeNull();
    expect(contactAccess(partner, aboutPerson)).toBeNull();
    // At special risk: consents no longer count, only the organisations the owner named (and the owner).
    const atRisk = { owner: 'partner-09', consentedTo: 'network' as const };
    expect(contactAccess(partner, aboutPerson, { ...atRisk, restrictedTo: [] })).toBeNull();
    expect(contactAccess(partner, aboutPerson, { ...atRisk, restrictedTo: ['partner-04'] })).toBe('person');
    expect(contactAccess(partner, aboutPerson, { ...atRisk, owner: 'partner-04', restrictedTo: [] })).toBe(
      'person',
    );
    // Anonymous: whatever the sharing, it stays with the organisation that met them.
    expect(
      contactAccess(partner, { ...owned, personId: null }, { ...notShared, consentedTo: 'network' }),
    ).toBeNull();
    // The lead body and auditors see contacts in aggregates only, consent or not.
    expect(
      contactAccess(actor('cri-milano', 'lead'), aboutPerson, { ...notShared, consentedTo: 'network' }),
    ).toBeNull();
    expect(
      contactAccess(actor('auditors', 'auditor'), aboutPerson, { ...notShared, owner: 'auditors' }),
    ).toBeNull();
  });
});
