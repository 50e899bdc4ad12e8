import { z } from 'zod';
import { envelopeSchema, type EnvelopeOf } from './envelope.js';
import {
  consentGivenV1,
  consentGivenV2,
  consentRefusedV1,
  consentRevokedV1,
  personLinkedV1,
  personRegisteredV1,
  personRestrictionChangedV1,
  personUpdatedV1,
  personUnlinkedV1,
  personForgottenV1,
  personViewedV1,
} from './people.events.js';
import {
  alertAssignedV1,
  alertClosedV1,
  alertReceivedV1,
  contactRecordedV1,
  contactViewedV1,
  countLockedV1,
  countTallyRecordedV1,
  outingCancelledV1,
  outingCompletedV1,
  outingPlannedV1,
  outingStartedV1,
} from './outings.events.js';

/**
 * Every event the system publishes, by subject `accanto.<service>.<event-name>.v<N>`.
 * Contracts change only by addition; anything else is a new version (a new entry here).
 */
export const catalog = {
  'accanto.people.person-registered.v1': personRegisteredV1,
  'accanto.people.person-updated.v1': personUpdatedV1,
  'accanto.people.consent-given.v1': consentGivenV1,
  'accanto.people.consent-given.v2': consentGivenV2,
  'accanto.people.consent-revoked.v1': consentRevokedV1,
  'accanto.people.consent-refused.v1': consentRefusedV1,
  'accanto.people.person-viewed.v1': personViewedV1,
  'accanto.people.person-restriction-changed.v1': personRestrictionChangedV1,
  'accanto.people.person-linked.v1': personLinkedV1,
  'accanto.people.person-unlinked.v1': personUnlinkedV1,
  'accanto.people.person-forgotten.v1': personForgottenV1,
  'accanto.outings.outing-planned.v1': outingPlannedV1,
  'accanto.outings.outing-started.v1': outingStartedV1,
  'accanto.outings.outing-completed.v1': outingCompletedV1,
  'accanto.outings.outing-cancelled.v1': outingCancelledV1,
  'accanto.outings.contact-recorded.v1': contactRecordedV1,
  'accanto.outings.contact-viewed.v1': contactViewedV1,
  'accanto.outings.alert-received.v1': alertReceivedV1,
  'accanto.outings.alert-assigned.v1': alertAssignedV1,
  'accanto.outings.alert-closed.v1': alertClosedV1,
  'accanto.outings.count-tally-recorded.v1': countTallyRecordedV1,
  'accanto.outings.count-locked.v1': countLockedV1,
} as const satisfies Record<string, z.ZodType>;

export type EventSubject = keyof typeof catalog;
export type EventPayload<S extends EventSubject> = z.infer<(typeof catalog)[S]>;
type TypeOf<S> = S extends `accanto.${infer T}.v${number}` ? T : never;
export type EventEnvelope<S extends EventSubject = EventSubject> = EnvelopeOf<TypeOf<S>, EventPayload<S>>;

const subjectPattern = /^accanto\.([a-z-]+\.[a-z-]+)\.v(\d+)$/;

/** `type` and `version` of the envelope, from the subject. */
export function describeSubject(subject: EventSubject): { type: string; version: number } {
  const [, type, version] = subjectPattern.exec(subject)!;
  return { type, version: Number(version) };
}

export function subjectOf(envelope: { type: string; version: number }): string {
  return `accanto.${envelope.type}.v${envelope.version}`;
}

export function isEventSubject(subject: string): subject is EventSubject {
  return Object.hasOwn(catalog, subject);
}

// Built once: zod compiles a schema on its first parse, and that costs more than the parse itself.
const envelopeSchemas = new Map<string, z.ZodType>(
  Object.entries(catalog).map(([subject, payload]) => [subject, envelopeSchema(payload)]),
);

/** Parses an envelope received from the bus against its subject's schema; throws a ZodError. */
export function parseEnvelope(data: unknown): EventEnvelope {
  const raw = data as { type?: unknown; version?: unknown };
  const subject = subjectOf({ type: String(raw?.type), version: Number(raw?.version) });
  const schema = envelopeSchemas.get(subject);
  if (!schema) throw new Error(`unknown event ${subject}`);
  return schema.parse(data) as EventEnvelope;
}
