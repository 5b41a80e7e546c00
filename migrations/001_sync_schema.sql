-- The sync schema: outbox (changes captured from mapped tables), identity map, pull cursors and
-- the registry of installed capture triggers.
-- Placeholders (substituted by ks::pg::migrator, never pasted raw): @schema@ = the quoted schema.

-- One row per captured change, written by the capture trigger in the transaction of the change.
CREATE TABLE @schema@.outbox (
  id              bigserial PRIMARY KEY,
  object          text        NOT NULL,
  key             text        NOT NULL,          -- the key column's value as text
  op              text        NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
  changed_columns text[]      NOT NULL DEFAULT '{}',
  new_row         jsonb,                         -- key, entity_id, captured columns; null for delete
  old_row         jsonb,                         -- same columns before the change; null for insert
  txid            xid8        NOT NULL DEFAULT pg_current_xact_id(),
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dead')),
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  last_error      text,
  http_status     integer,
  entity_id       uuid,                          -- the Kizen record the change was applied to
  applied_at      timestamptz,
  kizen_updated   timestamptz                    -- the record's `updated` after the change
);

-- Claiming: pending rows that are due, oldest first (FOR UPDATE SKIP LOCKED walks this in id order).
CREATE INDEX outbox_pending_due ON @schema@.outbox (id, next_attempt_at) WHERE state = 'pending';
-- Per-key order: the earliest unfinished change of a key, and the backlog per object.
CREATE INDEX outbox_open_by_key ON @schema@.outbox (object, key, id) WHERE state <> 'done';
-- Retention: purge applied rows oldest first.
CREATE INDEX outbox_done_applied ON @schema@.outbox (applied_at) WHERE state = 'done';

-- Which Kizen record each row corresponds to, and the mapped values last known equal on both
-- sides (by column), so neither direction re-sends what the other side already has.
CREATE TABLE @schema@.identity_map (
  object        text        NOT NULL,
  key           text        NOT NULL,
  entity_id     uuid        NOT NULL,
  synced_values jsonb       NOT NULL DEFAULT '{}',
  kizen_updated timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (object, key),
  CONSTRAINT identity_map_entity_unique UNIQUE (object, entity_id)
);

-- Inbound progress per object: the (updated, id) of the last committed record.
CREATE TABLE @schema@.pull_cursors (
  object          text PRIMARY KEY,
  cursor_updated  timestamptz,
  cursor_id       uuid,
  last_pull_at    timestamptz,
  last_pull_error text,
  records_pulled  bigint NOT NULL DEFAULT 0
);

-- What `migrate` installed, so a later migrate drops triggers of objects no longer configured
-- and `run` can verify that the installed triggers match the config.
CREATE TABLE @schema@.capture_triggers (
  object           text PRIMARY KEY,
  table_schema     text        NOT NULL,
  table_name       text        NOT NULL,
  trigger_name     text        NOT NULL,
  key_column       text        NOT NULL,
  entity_id_column text        NOT NULL DEFAULT '',
  captured_columns text[]      NOT NULL,
  installed_at     timestamptz NOT NULL DEFAULT now()
);
