import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** `previous_hash` of the first event: the chain starts from a known constant. */
export const genesisHash = '0'.repeat(64);

/** RFC 8785 (JCS) canonical JSON: what auditors re-hash with any JCS implementation. */
export function canonicalJson(value: unknown): string {
  const json = canonicalize(value);
  if (json === undefined) throw new Error('value has no JSON representation');
  return json;
}

/** `hash = sha256(previous_hash + canonical JSON of the envelope)`, hex (architecture.md §6). */
// The database computes the same hash when it seals an event (event_log_seal in schema.ts).
export function chainHash(previousHash: string, envelope: unknown): string {
  return createHash('sha256').update(previousHash).update(canonicalJson(envelope)).digest('hex');
}
