-- Progress of `kizen-sync resync`, per object and direction, so an interrupted resync resumes
-- where it stopped. Placeholders: @schema@ = the quoted schema (see migrations/README.md).
CREATE TABLE @schema@.resync_progress (
  object      text        NOT NULL,
  direction   text        NOT NULL CHECK (direction IN ('to_kizen', 'from_kizen')),
  started_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  total       bigint      NOT NULL DEFAULT 0,   -- rows (to_kizen) or records (from_kizen) to go through
  done        bigint      NOT NULL DEFAULT 0,   -- queued (to_kizen) or written (from_kizen) so far
  position    jsonb       NOT NULL DEFAULT '{}', -- where to resume: {"last_key": ...} or {"page": n}
  first_change_id bigint,                         -- to_kizen: the first outbox change it queued
  PRIMARY KEY (object, direction)
);
