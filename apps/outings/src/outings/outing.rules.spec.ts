import { describe, expect, it } from '@jest/globals';
import type { TeamMember } from './outing.entity.js';
import { guestOrganisations, nightOf, shiftErrors, teamErrors, volunteerMinutes } from './outing.rules.js';

const member = (organisation: string, volunteer: boolean): TeamMember => ({
  memberId: crypto.randomUUID(),
  organisation,
  volunteer,
});

describe('the night of a shift', () => {
  it('is the Milan evening it starts on, also when it starts after midnight', () => {
    // given a shift leaving at 21:00 and one leaving at 01:30 the next day (Milan, winter: UTC+1)
    // then both belong to the night of 3 December
    expect(nightOf(new Date('2026-12-03T20:00:00Z'))).toBe('2026-12-03');
    expect(nightOf(new Date('2026-12-04T00:30:00Z'))).toBe('2026-12-03');
  });

  it('follows Milan summer time', () => {
    // 11:30 in Milan on 1 July (UTC+2) belongs to the night before; 12:30 to that day
    expect(nightOf(new Date('2026-07-01T09:30:00Z'))).toBe('2026-06-30');
    expect(nightOf(new Date('2026-07-01T10:30:00Z'))).toBe('2026-07-01');
  });
});

describe('volunteer minutes', () => {
  it('count the whole shift for each volunteer and nothing for staff', () => {
    // given two volunteers and one staff member out from 21:00 to 00:30
    const team = [
      member('casa-della-carita', true),
      member('partner-04', true),
      member('casa-della-carita', false),
    ];
    // then the outing gives 2 × 210 minutes of volunteering
    expect(volunteerMinutes(team, new Date('2026-12-03T20:00:00Z'), new Date('2026-12-03T23:30:00Z'))).toBe(
      420,
    );
  });
});

describe('the team', () => {
  it('needs a member of the owning organisation; guests alone are refused', () => {
    expect(teamErrors([member('partner-04', true)], 'casa-della-carita')).toEqual([
      expect.objectContaining({ field: 'body.team', rule: 'own_member_required' }),
    ]);
    expect(
      teamErrors([member('partner-04', true), member('casa-della-carita', false)], 'casa-della-carita'),
    ).toEqual([]);
  });

  it('names the guest organisations once each', () => {
    const team = [
      member('partner-05', true),
      member('partner-04', true),
      member('partner-04', false),
      member('own', true),
    ];
    expect(guestOrganisations(team, 'own')).toEqual(['partner-04', 'partner-05']);
  });
});

describe('shift times', () => {
  const now = new Date('2026-12-04T06:00:00Z');
  const startedAt = new Date('2026-12-03T20:00:00Z');

  it('accept a start reported hours later by a field app, but not one in the future', () => {
    expect(shiftErrors({ startedAt }, now, 'body.startedAt')).toEqual([]);
    expect(shiftErrors({ startedAt: new Date('2026-12-04T07:00:00Z') }, now, 'body.startedAt')).toEqual([
      expect.objectContaining({ rule: 'future' }),
    ]);
  });

  it('refuse an end before the start or a shift longer than sixteen hours', () => {
    const at = (iso: string) => shiftErrors({ startedAt, endedAt: new Date(iso) }, now, 'body.endedAt');
    expect(at('2026-12-04T01:00:00Z')).toEqual([]);
    expect(at('2026-12-03T19:00:00Z')).toEqual([expect.objectContaining({ rule: 'before_start' })]);
    expect(
      shiftErrors(
        { startedAt: new Date('2026-12-03T12:00:00Z'), endedAt: new Date('2026-12-04T05:00:00Z') },
        now,
        'body.endedAt',
      ),
    ).toEqual([expect.objectContaining({ rule: 'too_long' })]);
  });
});
