// oidc-provider's storage (sessions, codes, grants, refresh tokens) in this process's memory:
// a development provider forgets everything on restart by design. Its own built-in adapter does the
// same but warns on every start, which would be noise in every test run.

type Entry = { payload: Record<string, unknown>; expiresAt?: number };

export function createMemoryAdapter() {
  const entries = new Map<string, Entry>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) entries.delete(key);
    return entries.get(key);
  };
  return class MemoryAdapter {
    constructor(private readonly model: string) {}

    private key(id: string) {
      return `${this.model}:${id}`;
    }

    private findBy(field: string, value: string) {
      const prefix = `${this.model}:`;
      const key = [...entries.keys()].find(
        (k) => k.startsWith(prefix) && entries.get(k)?.payload[field] === value,
      );
      return key ? live(key)?.payload : undefined;
    }

    async upsert(id: string, payload: Record<string, unknown>, expiresInSeconds?: number) {
      for (const key of entries.keys()) live(key);
      entries.set(this.key(id), {
        payload,
        expiresAt: expiresInSeconds ? Date.now() + expiresInSeconds * 1000 : undefined,
      });
    }

    async find(id: string) {
      return live(this.key(id))?.payload;
    }

    async findByUid(uid: string) {
      return this.findBy('uid', uid);
    }

    async findByUserCode(userCode: string) {
      return this.findBy('userCode', userCode);
    }

    async consume(id: string) {
      const entry = live(this.key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string) {
      entries.delete(this.key(id));
    }

    async revokeByGrantId(grantId: string) {
      for (const [key, entry] of entries) if (entry.payload.grantId === grantId) entries.delete(key);
    }
  };
}
