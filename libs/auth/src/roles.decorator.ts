import { SetMetadata } from '@nestjs/common';
import type { Role } from '#contracts';

export const ROLES_KEY = 'accanto:auth:roles';

/** The caller needs at least one of these realm roles (403 otherwise). Implies authentication, even under `@Public()`. */
export const Roles = (...required: Role[]) => SetMetadata(ROLES_KEY, required);
