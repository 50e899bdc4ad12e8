import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { catalog, describeSubject, parseEnvelope } from './catalog.js';

// Pins each published schema: a change that is not an addition must fail here and become a new version.
describe('event catalog', () => {
  it.each(Object.keys(catalog))('%s matches its pinned JSON schema', (subject) => {
    expect(z.toJSONSchema(catalog[subject as keyof typeof catalog])).toMatchSnapshot();
  });

  it('names subjects accanto.<service>.<event>.v<N>', () => {
    for (const subject of Object.keys(catalog) as Array<keyof typeof catalog>) {
      expect(describeSubject(subject)).toEqual({
        type: expect.stringMatching(/^[a-z-]+\.[a-z-]+$/),
        version: expect.any(Number),
      });
    }
  });

  const envelope = {
    id: '019ab5d2-7c1e-7a3b-9c4d-2e5f6a7b8c9d',
    type: 'people.person-registered',
    version: 1,
    occurredAt: '2026-11-23T22:10:00+01:00',
    recordedAt: '2026-11-23T21:10:01Z',
    organisation: 'cri-milano',
    actor: { userId: 'u-1', organisation: 'cri-milano', roles: ['operator'] },
    correlationId: '019ab5d2-7c1e-7a3b-9c4d-2e5f6a7b8c9e',
    causationId: null,
    subjects: { personId: '019ab5d2-7c1e-7a3b-9c4d-2e5f6a7b8c9f' },
    payload: {
      personId: '019ab5d2-7c1e-7a3b-9c4d-2e5f6a7b8c9f',
      identified: true,
      ageBand: '35-44',
      usualArea: null,
    },
  };

  it('parses a well-formed envelope against its subject schema', () => {
    expect(parseEnvelope(envelope)).toEqual(envelope);
  });

  it('refuses a payload with a field the contract does not have (e.g. a name)', () => {
    expect(() =>
      parseEnvelope({ ...envelope, payload: { ...envelope.payload, givenName: 'Mario' } }),
    ).toThrow();
  });

  it('refuses an unknown event type', () => {
    expect(() => parseEnvelope({ ...envelope, type: 'people.person-teleported' })).toThrow(/unknown event/);
  });
});
