import { z } from 'zod';
import { ValidationProblem } from './problem.js';

export const maxPageSize = 200;

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(maxPageSize).default(50),
  cursor: z.string().max(200).optional(),
};

export type Page<T> = { items: T[]; next: string | null };

/** Opaque cursor over a stable sort key (e.g. a UUIDv7 id). */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T extends z.ZodType>(
  cursor: string | undefined,
  schema: T,
): z.output<T> | undefined {
  if (cursor === undefined) return undefined;
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new ValidationProblem([
      { field: 'query.cursor', rule: 'invalid_cursor', message: 'Unknown cursor.' },
    ]);
  }
}
