-- The reconcile walks in pages with a checkpoint instead of holding every id in memory: each
-- identity the walk meets is marked with the walk's start, so the mapped records it did not meet
-- are found by a query afterwards; the walk's place is saved after every page, so a restart goes
-- on where it stopped. Placeholders: @schema@ = the quoted schema (see migrations/README.md).
ALTER TABLE @schema@.identity_map ADD COLUMN reconciled_at timestamptz;

CREATE TABLE @schema@.reconcile_progress (
  object        text        PRIMARY KEY,
  walk_started  timestamptz NOT NULL,   -- names the walk: identities marked with it were met
  position      timestamptz,            -- `created` of the last record met (the walk goes on from it)
  phase         text        NOT NULL DEFAULT 'walk' CHECK (phase IN ('walk', 'unmet')),
  unmet_after   text,                   -- in the unmet phase: the last key looked up
  records_seen  bigint      NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
