import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  aConsent,
  aPerson,
  newId,
  ownerCoordinatorsOnly,
  startPeople,
  users,
  type People,
} from './people-app.js';

// Issue 3: a person's data can be exported as one JSON document (subject access request).
describe('subject access export', () => {
  let people: People;
  let id: string;
  beforeAll(async () => {
    people = await startPeople();
    id = newId();
    await people.call(users.owner, 'PUT', `/people/persons/${id}`, aPerson());
    await people.call(users.owner, 'POST', `/people/persons/${id}/consents`, aConsent());
    await people.call(users.other, 'GET', `/people/persons/${id}`);
  });
  afterAll(async () => people?.close());

  it('gathers the record, its consents and who accessed it, and is itself logged', async () => {
    const exported = await people.call(users.ownerCoordinator, 'GET', `/people/persons/${id}/subject-access`);
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({
      person: { id, givenName: 'Ionuț', familyName: 'Popescu' },
      consents: [expect.objectContaining({ scope: 'organisations', organisations: ['casa-della-carita'] })],
      consentRefusals: [],
      links: [],
    });
    expect(
      exported.body.accessLog.map((a: { action: string; organisation: string }) => [
        a.action,
        a.organisation,
      ]),
    ).toEqual([
      ['register', 'volontari-milano-aperta'],
      ['consent-given', 'volontari-milano-aperta'],
      ['read', 'casa-della-carita'],
    ]);
    const log = await people.call(users.ownerCoordinator, 'GET', `/people/persons/${id}/access-log`);
    expect(log.body.items.at(-1)).toMatchObject({ action: 'export', basis: 'owner' });
  });

  it.each(ownerCoordinatorsOnly)(
    'GET /people/persons/{id}/subject-access as %s → %i',
    async (_who, user, status) => {
      expect((await people.call(user, 'GET', `/people/persons/${id}/subject-access`)).status).toBe(status);
    },
  );
});
