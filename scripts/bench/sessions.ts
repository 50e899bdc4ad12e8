import pg from 'pg';

/** Average number of a role's sessions in each state while sampling, from pg_stat_activity. */
export type SessionProfile = {
  running: number;
  lockWait: number;
  ioWait: number;
  idleInTransaction: number;
  idle: number;
};

/**
 * Samples pg_stat_activity every 20 ms until stopped: shows whether connections wait on a lock
 * (the event_log_head row every append locks), on PostgreSQL I/O, or on the client (idle in
 * transaction: the app holds the transaction open while its event loop gets to the next statement).
 */
export async function sampleSessions(adminUrl: string, database: string, role: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const sum: SessionProfile = { running: 0, lockWait: 0, ioWait: 0, idleInTransaction: 0, idle: 0 };
  let samples = 0;
  let stopped = false;
  const sample = async () => {
    const { rows } = await client.query<{ state: string | null; wait: string | null }>(
      'select state, wait_event_type as wait from pg_stat_activity where datname = $1 and usename = $2',
      [database, role],
    );
    samples += 1;
    for (const { state, wait } of rows) {
      if (state === 'idle') sum.idle += 1;
      else if (state?.startsWith('idle in transaction')) sum.idleInTransaction += 1;
      else if (wait === 'Lock') sum.lockWait += 1;
      else if (wait === 'IO') sum.ioWait += 1;
      else sum.running += 1;
    }
  };
  // A failed sample ends sampling; it must not crash the run (and skip its cleanup).
  const loop = (async () => {
    while (!stopped) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })().catch((error: unknown) => console.error(`session sampling stopped: ${String(error)}`));
  return async (): Promise<SessionProfile> => {
    stopped = true;
    await loop;
    await client.end();
    const average = (n: number) => Math.round((n / Math.max(samples, 1)) * 10) / 10;
    return {
      running: average(sum.running),
      lockWait: average(sum.lockWait),
      ioWait: average(sum.ioWait),
      idleInTransaction: average(sum.idleInTransaction),
      idle: average(sum.idle),
    };
  };
}

/**
 * The relay publishes a row only once no older transaction is open anywhere in the PostgreSQL
 * instance (`transaction_id < pg_snapshot_xmin(...)` is instance-wide). Samples how often a
 * transaction holding an xid is open in each of `databases`, and in any other database.
 */
export async function sampleOpenTransactions(adminUrl: string, databases: Record<string, string>) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const seen: Record<string, number> = { elsewhere: 0 };
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{ datname: string }>(
        'select distinct datname from pg_stat_activity where backend_xid is not null and pid <> pg_backend_pid()',
      );
      samples += 1;
      const names = new Set(rows.map((row) => row.datname));
      for (const [label, name] of Object.entries(databases))
        if (names.delete(name)) seen[label] = (seen[label] ?? 0) + 1;
      if (names.size > 0) seen.elsewhere += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })().catch((error: unknown) => console.error(`transaction sampling stopped: ${String(error)}`));
  return async (): Promise<Record<string, number>> => {
    stopped = true;
    await loop;
    await client.end();
    const labels = [...Object.keys(databases), 'elsewhere'];
    return Object.fromEntries(
      labels.map((label) => [label, Math.round((100 * (seen[label] ?? 0)) / Math.max(samples, 1))]),
    );
  };
}
