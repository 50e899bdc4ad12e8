import { z } from 'zod';

/** Organisation alias as Keycloak knows it: the tenant key everywhere (ids change on realm import). */
export const organisationAlias = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and dashes');

/** Realm roles (architecture.md §4). */
export const roles = ['operator', 'coordinator', 'hub', 'lead', 'residence-desk', 'auditor'] as const;
export type Role = (typeof roles)[number];
export const role = z.enum(roles);

/** Who did it: enough for audit, never a name. */
export const actorSchema = z
  .object({
    userId: z.string().min(1).max(200),
    organisation: organisationAlias,
    roles: z.array(role).max(roles.length),
  })
  .strict();
export type Actor = z.infer<typeof actorSchema>;

const isoDateTime = z.iso.datetime({ offset: true });

/** The envelope every event travels in (architecture.md §3). */
export const envelopeFields = {
  /** UUIDv7: time-ordered, also the JetStream `Nats-Msg-Id`. */
  id: z.uuid({ version: 'v7' }),
  /** `<service>.<event-name>`, e.g. `people.person-registered`. */
  type: z.string().regex(/^[a-z-]+\.[a-z-]+$/),
  version: z.number().int().positive(),
  /** When it happened in the street; may be hours before `recordedAt` for offline field work. */
  occurredAt: isoDateTime,
  recordedAt: isoDateTime,
  /** The owning partner's alias: the tenant, always explicit. */
  organisation: organisationAlias,
  actor: actorSchema,
  correlationId: z.uuid(),
  causationId: z.uuid().nullable(),
  /** Ids of what the event is about, e.g. `{ personId }`. Never names. */
  subjects: z.record(z.string().regex(/^[a-z][A-Za-z]*Id$/), z.uuid()),
};

export type EnvelopeOf<Type extends string, Payload> = {
  id: string;
  type: Type;
  version: number;
  occurredAt: string;
  recordedAt: string;
  organisation: string;
  actor: Actor;
  correlationId: string;
  causationId: string | null;
  subjects: Record<string, string>;
  payload: Payload;
};

export function envelopeSchema<P extends z.ZodType>(payload: P) {
  return z.object({ ...envelopeFields, payload }).strict();
}
