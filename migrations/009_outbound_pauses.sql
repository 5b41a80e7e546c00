-- Each daemon whose outbound is paused because Kizen as a whole fails (kizen_breaker.hpp) says so
-- here, so `kizen-sync status`, another process, can show it: since when, and why. The row is
-- refreshed at every failed probe and removed when Kizen answers again or the daemon stops; a row
-- not refreshed for a few minutes is a daemon that died paused, and status leaves it out.
-- Placeholders: @schema@ = the quoted schema (see migrations/README.md).
CREATE TABLE @schema@.outbound_pauses (
  owner        text        PRIMARY KEY,  -- host:pid of the daemon
  paused_since timestamptz NOT NULL,
  reason       text        NOT NULL,
  seen_at      timestamptz NOT NULL DEFAULT now()
);
