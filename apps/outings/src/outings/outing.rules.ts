import type { FieldError } from '#http';
import type { OutingStatus, TeamMember } from './outing.entity.js';

// The business rules of an outing, pure and with time passed in (style.md rule 12).

/** A shift longer than this is a typing error, not a night's work. */
export const longestShiftHours = 16;
/** Field devices' clocks drift: a start or end this far ahead of the server is still accepted. */
const clockSkewMs = 5 * 60_000;

const milanDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Rome',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/**
 * The night a shift belongs to: the date, in Milan, of its start less twelve hours. A unit that
 * leaves at 21:00 and one that leaves at 01:00 the next day are out on the same night.
 */
export function nightOf(start: Date): string {
  return milanDate.format(new Date(start.getTime() - 12 * 3_600_000));
}

/**
 * Volunteer hours (ore di volontariato) follow from the outing: every volunteer in the team gives
 * the whole shift, from leaving to coming back. Staff time is work, not volunteering.
 */
export function volunteerMinutes(team: TeamMember[], startedAt: Date, endedAt: Date): number {
  const minutes = Math.round((endedAt.getTime() - startedAt.getTime()) / 60_000);
  return team.filter((member) => member.volunteer).length * Math.max(minutes, 0);
}

/** Organisations other than the owner that lend members to the team. */
export function guestOrganisations(team: TeamMember[], organisation: string): string[] {
  return [...new Set(team.map((m) => m.organisation).filter((o) => o !== organisation))].sort();
}

/** A unit goes out with its own people; guests from partners may join them, not replace them. */
export function teamErrors(team: TeamMember[], organisation: string, field = 'body.team'): FieldError[] {
  if (team.some((member) => member.organisation === organisation)) return [];
  return [{ field, rule: 'own_member_required', message: `needs at least one member of ${organisation}` }];
}

/** A time reported by a field app: not in the future; an end within one shift of its start. */
export function shiftErrors(
  times: { startedAt: Date; endedAt?: Date },
  now: Date,
  field: string,
): FieldError[] {
  const { startedAt, endedAt } = times;
  const reported = endedAt ?? startedAt;
  if (reported.getTime() > now.getTime() + clockSkewMs) {
    return [{ field, rule: 'future', message: 'cannot be in the future' }];
  }
  if (endedAt === undefined) return [];
  if (endedAt.getTime() <= startedAt.getTime()) {
    return [{ field, rule: 'before_start', message: 'must be after the outing started' }];
  }
  if (endedAt.getTime() - startedAt.getTime() > longestShiftHours * 3_600_000) {
    return [{ field, rule: 'too_long', message: `a shift lasts at most ${longestShiftHours} hours` }];
  }
  return [];
}

/** Which status each command needs, and which it leads to. */
export const transitions = {
  start: { from: 'planned', to: 'under-way' },
  complete: { from: 'under-way', to: 'completed' },
  cancel: { from: 'planned', to: 'cancelled' },
} as const satisfies Record<string, { from: OutingStatus; to: OutingStatus }>;
export type Command = keyof typeof transitions;
