import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldError } from '#http';

/** Codes the city does not have, as one field error (none when all exist). */
export async function unknownAreas(em: EntityManager, codes: string[], field: string): Promise<FieldError[]> {
  if (codes.length === 0) return [];
  const known = await em.execute<Array<{ code: string }>>('select code from area where code in (?)', [codes]);
  return unknownAreaErrors(
    codes.filter((code) => !known.some((k) => k.code === code)),
    field,
  );
}

/** Codes found missing, as one field error (none when none are). */
export function unknownAreaErrors(missing: string[], field: string): FieldError[] {
  return missing.length === 0
    ? []
    : [{ field, rule: 'unknown_area', message: `unknown area: ${missing.join(', ')}` }];
}
