import { z } from 'zod';
import { erasureHoldReasons, erasureBases } from '../persons/person.entity.js';

/** Why the person's data is erased. No free text: it would be personal data kept after the erasure. */
export const forgetInput = z.object({ basis: z.enum(erasureBases) }).strict();
export type ForgetInput = z.output<typeof forgetInput>;

/** Placing or lifting a hold: while one is set, erasure is refused with its reason (GDPR art. 17(3)). */
export const erasureHoldInput = z.object({ reason: z.enum(erasureHoldReasons).nullable() }).strict();
export type ErasureHoldInput = z.output<typeof erasureHoldInput>;

export type ErasureView = { personId: string; forgottenAt: string; basis: string };
