import { startTestApp } from '#testing';
import { v7 as uuidv7 } from 'uuid';
import { createPeopleApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

export type { Call } from '#testing';

/** The people app on its own database and stream namespace (startTestApp), with `overrides` to its environment. */
export function startPeople(overrides: Record<string, string> = {}) {
  return startTestApp({ loadConfig, createApp: createPeopleApp, env: overrides });
}

export type People = Awaited<ReturnType<typeof startPeople>>;

export const users = {
  owner: 'volontari-milano-aperta.operator',
  ownerCoordinator: 'volontari-milano-aperta.coordinator',
  other: 'casa-della-carita.operator',
  third: 'partner-04.operator',
  hub: 'centro-sammartini.hub',
  lead: 'cri-milano.lead',
  auditor: 'auditors.auditor',
} as const;

/** Who may act on a record that only its owner's coordinators may act on, and what each gets. */
export const ownerCoordinatorsOnly = [
  ['owner coordinator', users.ownerCoordinator, 200],
  ['owner operator', users.owner, 403],
  ['other partner coordinator', 'casa-della-carita.coordinator', 404],
  ['hub', users.hub, 403],
  ['lead', users.lead, 403],
  ['auditor', users.auditor, 403],
] as const;

/** A registration with overrides: the smallest valid identified person. */
export function aPerson(overrides: Record<string, unknown> = {}) {
  return {
    givenName: 'Ionuț',
    familyName: 'Popescu',
    nameQuality: 'full',
    aliases: [{ name: 'Johnny', kind: 'street-name' }],
    birthDate: '1979-03-14',
    birthDateQuality: 'full',
    gender: 'uomo',
    nationality: 'RO',
    languages: ['ro', 'it'],
    usualArea: 'stazione-centrale',
    ...overrides,
  };
}

export function aConsent(overrides: Record<string, unknown> = {}) {
  return {
    scope: 'organisations',
    organisations: ['casa-della-carita'],
    purpose: 'case-coordination',
    lawfulBasis: 'consent',
    evidence: { kind: 'signed-form', reference: 'modulo 2026/114' },
    givenAt: new Date(Date.now() - 60_000).toISOString(),
    ...overrides,
  };
}

export const newId = () => uuidv7();
