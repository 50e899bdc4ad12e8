import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SealedData } from '../persons/person.entity.js';

// Envelope encryption (docs/adr/0009): each person's identity and special-category data is sealed with
// the person's own data key; the data key is stored wrapped by the master key. Destroying the wrapped
// key makes every copy of the sealed data unreadable (crypto-shredding), in the tables and in backups.
// AES-256-GCM throughout; the person id is authenticated with every ciphertext, so a sealed value or a
// wrapped key copied onto another person fails to open instead of showing one person's data as another's.

const algorithm = 'aes-256-gcm';
const ivBytes = 12;
const tagBytes = 16;
const keyBytes = 32;
const sealedPrefix = 'v1.';

/** A development master key, refused in production (config.ts): never protects real data. */
export const developmentMasterKey = Buffer.alloc(keyBytes, 'accanto-development-master-key!!').toString(
  'base64',
);

function encrypt(key: Buffer, plaintext: Buffer, associated: string): Buffer {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv(algorithm, key, iv);
  cipher.setAAD(Buffer.from(associated, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function decrypt(key: Buffer, sealed: Buffer, associated: string): Buffer {
  const decipher = createDecipheriv(algorithm, key, sealed.subarray(0, ivBytes));
  decipher.setAAD(Buffer.from(associated, 'utf8'));
  decipher.setAuthTag(sealed.subarray(ivBytes, ivBytes + tagBytes));
  return Buffer.concat([decipher.update(sealed.subarray(ivBytes + tagBytes)), decipher.final()]);
}

export class PersonVault {
  private readonly masterKey: Buffer;

  /** `masterKey`: 32 bytes, base64. */
  constructor(masterKey: string) {
    this.masterKey = Buffer.from(masterKey, 'base64');
    if (this.masterKey.length !== keyBytes) throw new Error('the master key must be 32 bytes, base64');
  }

  /** A new data key for a person, and its wrapped form (what the database stores). */
  newKey(personId: string): { key: Buffer; wrapped: Buffer } {
    const key = randomBytes(keyBytes);
    return { key, wrapped: encrypt(this.masterKey, key, `person-key:${personId}`) };
  }

  unwrap(personId: string, wrapped: Buffer): Buffer {
    return decrypt(this.masterKey, wrapped, `person-key:${personId}`);
  }

  seal(key: Buffer, personId: string, data: unknown): string {
    const plaintext = Buffer.from(JSON.stringify(data), 'utf8');
    return sealedPrefix + encrypt(key, plaintext, `person:${personId}`).toString('base64');
  }

  open<T>(key: Buffer, personId: string, sealed: string): T {
    if (!sealed.startsWith(sealedPrefix)) throw new Error('unknown sealed format');
    const body = Buffer.from(sealed.slice(sealedPrefix.length), 'base64');
    return JSON.parse(decrypt(key, body, `person:${personId}`).toString('utf8')) as T;
  }
}

/**
 * The sealed column and wrapped key of a person written without PersonService: the migration that
 * sealed existing rows, tests and benchmarks that set up rows directly.
 */
export function sealRow(
  vault: PersonVault,
  personId: string,
  data: Partial<SealedData>,
): { sealed: string; wrappedKey: Buffer } {
  const { key, wrapped } = vault.newKey(personId);
  const sealed = vault.seal(key, personId, {
    givenName: data.givenName ?? null,
    familyName: data.familyName ?? null,
    codeName: data.codeName ?? null,
    description: data.description ?? null,
    aliases: data.aliases ?? [],
    birthDate: data.birthDate ?? null,
    gender: data.gender ?? null,
    needs: data.needs ?? [],
  });
  return { sealed, wrappedKey: wrapped };
}
