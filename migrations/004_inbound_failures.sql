-- Kizen records the inbound sync could not apply (a value the table refuses, a row lock that timed
-- out, a record no row can hold): kept here, retried with backoff, shown by `status`, and retried
-- or dropped by `replay --inbound`, so none is passed over and none blocks the others.
-- Placeholders: @schema@ = the quoted schema (see migrations/README.md).
CREATE TABLE @schema@.inbound_failures (
  object          text        NOT NULL,
  entity_id       uuid        NOT NULL,
  kizen_updated   timestamptz,                 -- the version that failed
  reason          text        NOT NULL,
  attempts        integer     NOT NULL DEFAULT 1,
  first_failed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  last_failed_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (object, entity_id)
);
-- The retries due per object, soonest first.
CREATE INDEX inbound_failures_due ON @schema@.inbound_failures (object, next_attempt_at);
