import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '#contracts';
import { ProblemException } from '#http';

// api.md: a POST that creates accepts an Idempotency-Key and replays the first response for a
// repeated key. A field app that lost the answer at night sends the same request again; without the
// key a consent given twice would leave a copy active after the person revoked "it".

/** Documents the header on a creating POST. */
export const AcceptsIdempotencyKey = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      '8 to 100 letters, digits, - or _, chosen by the client. Repeating the request with the same key ' +
      'answers 200 with what the first one created, as it is now; the key with another request is 422.',
  });

/**
 * Creates once per key and organisation. Call inside the request's transaction: the key is claimed
 * there, so a concurrent repeat waits for the first to commit and replays it. `request` names the
 * route and its input; the same key with another request is refused. Only the created record's id
 * is kept with the key (no personal data outside the sealed columns), and `replay` reads it as it is
 * now, under the caller's visibility. Without a key, `create` just runs.
 */
export async function createOnce<T extends { id: string }>(
  em: EntityManager,
  actor: Actor,
  key: string | undefined,
  request: unknown,
  create: () => Promise<T>,
  replay: (id: string) => Promise<T>,
): Promise<{ result: T; created: boolean }> {
  if (key === undefined) return { result: await create(), created: true };
  if (!/^[\w-]{8,100}$/.test(key)) {
    throw new ProblemException(
      400,
      'idempotency-key',
      'Invalid Idempotency-Key',
      'Use 8 to 100 letters, digits, - or _.',
    );
  }
  const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  const claimed = await em.execute<{ key: string }[]>(
    `insert into idempotency_key (organisation, key, request_hash, status, body)
     values (?, ?, ?, 0, '{}') on conflict do nothing returning key`,
    [actor.organisation, key, requestHash],
  );
  if (claimed.length === 0) {
    const [stored] = await em.execute<{ request_hash: string; body: { id: string } }[]>(
      'select request_hash, body from idempotency_key where organisation = ? and key = ?',
      [actor.organisation, key],
    );
    if (stored.request_hash !== requestHash) {
      throw new ProblemException(
        422,
        'idempotency-key-reused',
        'Idempotency-Key reused',
        'This key was used for a different request.',
      );
    }
    return { result: await replay(stored.body.id), created: false };
  }
  const result = await create();
  await em.execute('update idempotency_key set status = 201, body = ? where organisation = ? and key = ?', [
    JSON.stringify({ id: result.id }),
    actor.organisation,
    key,
  ]);
  return { result, created: true };
}

/** 201 when the request created the record, 200 when an Idempotency-Key replayed it. */
export function answerCreated<T>(
  reply: FastifyReply,
  { result, created }: { result: T; created: boolean },
): T {
  void reply.status(created ? 201 : 200);
  return result;
}
