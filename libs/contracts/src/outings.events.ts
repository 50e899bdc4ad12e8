import { z } from 'zod';
import { organisationAlias } from './envelope.js';

// Outing events carry ids, codes, counts and times: who was met stays with the contacts, and team
// members travel only as opaque ids (UUIDs), never names (architecture.md §6).

/** What a unit does in the street (domain.md). */
export const unitSpecialisations = ['social', 'health', 'psychological', 'hygiene', 'food'] as const;

/** What a unit loads before a shift and counts again at its end. */
export const supplyItems = [
  'meal',
  'hot-drink',
  'water',
  'blanket',
  'sleeping-bag',
  'clothes',
  'hygiene-kit',
] as const;

/** Quantities by item; an item left out is none. */
export const supplies = z.partialRecord(z.enum(supplyItems), z.number().int().min(0).max(100_000));

/** A city area's code, e.g. `stazione-centrale`. */
export const areaCode = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and dashes');

const isoDateTime = z.iso.datetime({ offset: true });

/** A unit's shift was planned (or its plan changed: the latest `planVersion` holds). */
export const outingPlannedV1 = z
  .object({
    outingId: z.uuid(),
    unitId: z.uuid(),
    /** The evening the shift belongs to (Milan time), even when it runs past midnight. */
    night: z.iso.date(),
    planVersion: z.number().int().positive(),
    plannedStart: isoDateTime,
    plannedEnd: isoDateTime,
    areasPlanned: z.array(areaCode).max(30),
    teamSize: z.number().int().min(0).max(50),
    guestOrganisations: z.array(organisationAlias).max(16),
  })
  .strict();

/** The unit went out. `occurredAt` is when it left, which a field app may report hours later. */
export const outingStartedV1 = z
  .object({
    outingId: z.uuid(),
    unitId: z.uuid(),
    night: z.iso.date(),
    startedAt: isoDateTime,
    teamSize: z.number().int().min(0).max(50),
  })
  .strict();

/**
 * The unit came back. Volunteer minutes follow from the team and the shift's length; member ids let
 * reporting count distinct volunteers without knowing who they are.
 */
export const outingCompletedV1 = z
  .object({
    outingId: z.uuid(),
    unitId: z.uuid(),
    night: z.iso.date(),
    startedAt: isoDateTime,
    endedAt: isoDateTime,
    areasCovered: z.array(areaCode).max(60),
    team: z
      .array(
        z.object({ memberId: z.uuid(), organisation: organisationAlias, volunteer: z.boolean() }).strict(),
      )
      .max(50),
    volunteerMinutes: z.number().int().min(0),
    suppliesLoaded: supplies,
    suppliesLeft: supplies,
  })
  .strict();

/** A planned shift that will not go out. */
export const outingCancelledV1 = z
  .object({
    outingId: z.uuid(),
    unitId: z.uuid(),
    night: z.iso.date(),
    reason: z.enum(['weather', 'vehicle', 'staff', 'other']),
  })
  .strict();

/** What a team gives a person in the street, counted (domain.md). */
export const contactServices = [
  'listening',
  'orientation',
  'meal',
  'hot-drink',
  'blanket',
  'sleeping-bag',
  'clothes',
  'hygiene-kit',
  'health-check',
  'psychological-support',
] as const;

/** Where the person was living when met (HMIS "current living situation", simplified). */
export const livingSituations = [
  'street',
  'encampment',
  'station',
  'vehicle',
  'squat',
  'shelter',
  'other',
  'unknown',
] as const;

/** Where a team sent the person on. */
export const referralTargets = [
  'hub',
  'night-shelter',
  'health-service',
  'addiction-service',
  'mental-health-service',
  'social-services',
  'residence-desk',
  'other',
] as const;

/**
 * A team met someone in the street. `occurredAt` is when: field apps upload hours later. The
 * person is an id or nobody (an anonymous contact); descriptions and coordinates stay in the
 * outings service. It is also the "service given" and "referral made" event: `services` and
 * `referrals` are what the team gave and where it sent the person (docs/adr/0015).
 */
export const contactRecordedV1 = z
  .object({
    contactId: z.uuid(),
    outingId: z.uuid(),
    unitId: z.uuid(),
    night: z.iso.date(),
    personId: z.uuid().nullable(),
    area: areaCode.nullable(),
    beddedDown: z.boolean(),
    livingSituation: z.enum(livingSituations),
    services: z.partialRecord(z.enum(contactServices), z.number().int().min(1).max(100)),
    referrals: z.array(z.enum(referralTargets)).max(referralTargets.length),
    firstContact: z.boolean(),
  })
  .strict();

/** A contact read across an organisation boundary (the hub, or a partner that may see the person): auditors see who viewed what. */
export const contactViewedV1 = z
  .object({
    contactId: z.uuid(),
    personId: z.uuid().nullable(),
    /** `person`: a partner reading another's contact because it may see the person (owner, consent, restriction). */
    basis: z.enum(['hub', 'person']),
  })
  .strict();

/** Who reported someone in need to the network. */
export const alertSources = ['public', 'help-line', 'police', 'health-services', 'partner', 'other'] as const;
export const alertUrgencies = ['routine', 'urgent'] as const;
/** How an alert ended. */
export const alertOutcomes = [
  'helped',
  'refused-help',
  'not-found',
  'emergency-services',
  'duplicate',
  'no-action-needed',
] as const;

/** Someone was reported in need (segnalazione). What the caller said stays in the outings service. */
export const alertReceivedV1 = z
  .object({
    alertId: z.uuid(),
    source: z.enum(alertSources),
    urgency: z.enum(alertUrgencies),
    area: areaCode.nullable(),
  })
  .strict();

/** A unit was sent to an alert (or another unit instead). */
export const alertAssignedV1 = z
  .object({
    alertId: z.uuid(),
    unitId: z.uuid(),
    assignedOrganisation: organisationAlias,
  })
  .strict();

/** An alert was closed; `occurredAt` is when, and the minutes since it was received follow. */
export const alertClosedV1 = z
  .object({
    alertId: z.uuid(),
    outcome: z.enum(alertOutcomes),
    unitId: z.uuid().nullable(),
    minutesToClose: z.number().int().min(0),
  })
  .strict();

/** A team's tally for one area in a point-in-time count (racCONTAMI): people seen, and interviewed. */
export const countTallyRecordedV1 = z
  .object({
    campaignId: z.uuid(),
    area: areaCode,
    observed: z.number().int().min(0),
    interviewed: z.number().int().min(0),
  })
  .strict();

/** A count's tallies were locked: its results are final. */
export const countLockedV1 = z
  .object({
    campaignId: z.uuid(),
    edition: z.string().max(64),
    night: z.iso.date(),
    areasCounted: z.number().int().min(0),
    observed: z.number().int().min(0),
    interviewed: z.number().int().min(0),
  })
  .strict();
