import { genesisHash } from './chain.js';

export type MessagingRoles = {
  /** The role the app connects as (not the table owner, so row-level security applies to it). */
  app: string;
  /** The relay's role: reads the whole log across tenants, moves its cursor, nothing else. */
  relay: string;
};

/** Channel the log's insert trigger notifies at commit; the relay LISTENs on it. */
export const eventLogChannel = 'accanto_event_log';

function role(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(name)) throw new Error(`invalid role name "${name}"`);
  return `"${name}"`;
}

/**
 * SQL for the event log (the transactional outbox), its head, the relay cursor and the inbox.
 * Run by the app's migration as the table owner; safe to run again, and running it again brings
 * a database made by an earlier version up to this one.
 */
export function messagingMigrationSql(roles: MessagingRoles): string {
  const app = role(roles.app);
  const relay = role(roles.relay);
  return `
create table if not exists event_log (
  position bigint primary key,
  id uuid not null unique,
  transaction_id xid8 not null default pg_current_xact_id(),
  subject text not null,
  organisation text not null,
  envelope jsonb not null,
  trace_context jsonb not null default '{}',
  previous_hash text not null,
  hash text not null,
  recorded_at timestamptz not null default now()
);
-- The relay reads in position order past its cursor (the primary key serves it): positions are
-- handed out under the head's lock, in commit order. docs/adr/0008-relay-reads-in-position-order.md

create or replace function event_log_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'event_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end $$;
create or replace trigger event_log_refuse_update_delete before update or delete on event_log
  for each row execute function event_log_refuse_change();
create or replace trigger event_log_refuse_truncate before truncate on event_log
  for each statement execute function event_log_refuse_change();

-- Delivered at commit only, so the relay wakes when the rows are visible.
create or replace function event_log_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('${eventLogChannel}', '');
  return null;
end $$;
create or replace trigger event_log_notify after insert on event_log
  for each statement execute function event_log_notify();

-- One row: sealing locks it FOR UPDATE, so concurrent writers extend the chain one at a time.
create table if not exists event_log_head (
  singleton boolean primary key default true check (singleton),
  position bigint not null,
  hash text not null
);
insert into event_log_head (singleton, position, hash) values (true, 0, '${genesisHash}') on conflict do nothing;

-- Where EventLog.append writes. A deferred trigger moves each row into event_log at COMMIT, taking
-- the head's lock there, so the lock is never held across a round trip to the app: a stalled app
-- (GC, a busy event loop) no longer makes every other writer queue behind it. docs/adr/0010.
-- Rows live only inside their transaction, so the table is unlogged (no WAL for them).
create unlogged table if not exists event_log_pending (
  id uuid primary key,
  subject text not null,
  organisation text not null,
  envelope jsonb not null,
  -- RFC 8785 canonical JSON of the envelope, made by the app: what the chain hash covers.
  canonical text not null,
  trace_context jsonb not null default '{}'
);

-- hash = sha256(previous_hash + canonical JSON), hex: chainHash (chain.ts), in SQL.
create or replace function event_log_seal() returns trigger
  language plpgsql security definer set search_path = pg_catalog, public as $$
declare
  head record;
  next_hash text;
begin
  select position, hash into head from event_log_head for update;
  next_hash := encode(sha256(convert_to(head.hash || new.canonical, 'UTF8')), 'hex');
  insert into event_log (position, id, subject, organisation, envelope, trace_context, previous_hash, hash)
    values (head.position + 1, new.id, new.subject, new.organisation, new.envelope, new.trace_context,
            head.hash, next_hash);
  update event_log_head set position = head.position + 1, hash = next_hash;
  delete from event_log_pending where id = new.id;
  return null;
end $$;
-- Deferred row triggers fire at commit in insertion order: positions follow the order of append.
drop trigger if exists event_log_seal on event_log_pending;
create constraint trigger event_log_seal after insert on event_log_pending
  deferrable initially deferred for each row execute function event_log_seal();

create table if not exists relay_cursor (
  singleton boolean primary key default true check (singleton),
  transaction_id xid8 not null,
  position bigint not null
);
insert into relay_cursor (singleton, transaction_id, position) values (true, '0', 0) on conflict do nothing;

create table if not exists inbox (
  consumer text not null,
  event_id uuid not null,
  processed_at timestamptz not null default now(),
  primary key (consumer, event_id)
);

-- The app only stages events: positions, hashes, transaction ids and times are the database's.
revoke all on event_log, event_log_head from ${app};
grant insert on event_log_pending to ${app};
grant select, insert on inbox to ${app};
grant select on event_log to ${relay};
grant select, update on relay_cursor to ${relay};
-- The head lets verifyChain notice rows missing from the end of the log.
grant select on event_log_head to ${relay};
`;
}
