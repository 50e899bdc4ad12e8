import { describe, expect, it } from '@jest/globals';
import type { NewEvent } from './event-log.js';

const personId = '019ab5d2-7c1e-7a3b-9c4d-2e5f6a7b8c9f';
const common = {
  subjects: { personId },
  organisation: 'cri-milano',
  actor: { userId: 'u-1', organisation: 'cri-milano', roles: ['operator' as const] },
  correlationId: '019ab5d2-7c1e-7a3b-9c4d-2e5f6a7b8c9e',
};

// Compile-time contract, checked by `npm run typecheck`: each payload must match its own subject.
describe('NewEvent', () => {
  it('accepts a payload of its subject and rejects any other at compile time', () => {
    const events: NewEvent[] = [
      {
        ...common,
        subject: 'accanto.people.person-registered.v1',
        payload: { personId, identified: false, ageBand: 'unknown', usualArea: null },
      },
      { ...common, subject: 'accanto.people.consent-revoked.v1', payload: { consentId: personId, personId } },
      {
        ...common,
        subject: 'accanto.people.person-registered.v1',
        // @ts-expect-error a consent payload under the person-registered subject
        payload: { consentId: personId, personId },
      },
      // @ts-expect-error a subject that is not in the catalog
      { ...common, subject: 'accanto.people.person-teleported.v1', payload: { personId } },
    ];
    expect(events.map((event) => event.subject)).toEqual([
      'accanto.people.person-registered.v1',
      'accanto.people.consent-revoked.v1',
      'accanto.people.person-registered.v1',
      'accanto.people.person-teleported.v1',
    ]);
  });
});
