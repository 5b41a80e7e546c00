-- One row per key with unfinished changes: what the outbound claims, instead of walking the
-- outbox. A claim takes a lease on the row (an epoch from a sequence, an expiry by the database's
-- clock); the result of a request is recorded only under the same epoch, so a daemon that lost
-- its connection, or that stalled past its lease, can never record over the next owner's work
-- (DESIGN.md invariant 2). Session advisory locks did this before and vanished silently with
-- their session, while the request was still in flight.
-- Placeholders: @schema@ = the quoted schema (see migrations/README.md).
CREATE SEQUENCE @schema@.lease_epochs;

CREATE TABLE @schema@.outbox_keys (
  object      text        NOT NULL,
  key         text        NOT NULL,
  due_at      timestamptz NOT NULL,   -- next attempt of the key's earliest unfinished change; infinity while it is dead
  lease_epoch bigint,                 -- the last lease taken (kept after release: it names the last owner)
  lease_until timestamptz,            -- the lease's expiry; null when no one holds the key
  lease_owner text,                   -- host and pid of the daemon holding it, for status and logs
  claim_at    timestamptz GENERATED ALWAYS AS (greatest(due_at, lease_until)) STORED,
  PRIMARY KEY (object, key)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_cost_delay = 1);

-- A claim reads this index from its start: the keys that are due and free come first, whatever
-- the backlog behind them (keys backing off, leased or dead sit later in it, or at infinity).
CREATE INDEX outbox_keys_claimable ON @schema@.outbox_keys (claim_at);

-- Keeps outbox_keys in step with the outbox, whoever writes it (the capture trigger, the engine's
-- own follow-ups, resync, replay): an insert makes sure its key has a row (and locks that row until
-- its transaction ends); any other change of a key's rows recomputes the key's head, or removes the
-- row once nothing is left. The row lock is taken before the head is read, and in READ COMMITTED
-- each statement here sees what committed before it: a change whose transaction held the row is
-- therefore always seen, and a key is never dropped with a change still to send.
CREATE FUNCTION @schema@.keep_outbox_key() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS @body@
DECLARE
  k_object text;
  k_key    text;
  h_state  text;
  h_due    timestamptz;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO @schema@.outbox_keys AS k (object, key, due_at)
    VALUES (NEW.object, NEW.key, CASE WHEN NEW.state = 'dead' THEN 'infinity' ELSE NEW.next_attempt_at END)
    ON CONFLICT (object, key) DO UPDATE SET due_at = k.due_at;  -- only to hold the row
    IF NOT EXISTS (SELECT 1 FROM @schema@.outbox o
                    WHERE o.object = NEW.object AND o.key = NEW.key AND o.state <> 'done' AND o.id < NEW.id) THEN
      -- The key's head (a key whose earlier changes are all done): its due time counts.
      UPDATE @schema@.outbox_keys
         SET due_at = CASE WHEN NEW.state = 'dead' THEN 'infinity' ELSE NEW.next_attempt_at END
       WHERE object = NEW.object AND key = NEW.key;
    END IF;
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    IF OLD.state = 'done' THEN RETURN NULL; END IF;  -- the retention purge: never a key's head
    k_object := OLD.object; k_key := OLD.key;
  ELSE
    k_object := NEW.object; k_key := NEW.key;
  END IF;
  PERFORM 1 FROM @schema@.outbox_keys WHERE object = k_object AND key = k_key FOR UPDATE;
  SELECT o.state, o.next_attempt_at INTO h_state, h_due
    FROM @schema@.outbox o
   WHERE o.object = k_object AND o.key = k_key AND o.state <> 'done'
   ORDER BY o.id LIMIT 1;
  IF NOT FOUND THEN
    DELETE FROM @schema@.outbox_keys WHERE object = k_object AND key = k_key;
  ELSE
    INSERT INTO @schema@.outbox_keys AS k (object, key, due_at)
    VALUES (k_object, k_key, CASE WHEN h_state = 'dead' THEN 'infinity' ELSE h_due END)
    ON CONFLICT (object, key) DO UPDATE SET due_at = EXCLUDED.due_at
     WHERE k.due_at IS DISTINCT FROM EXCLUDED.due_at;
  END IF;
  RETURN NULL;
END;
@body@;

CREATE TRIGGER outbox_keep_key AFTER INSERT OR DELETE OR UPDATE OF state, next_attempt_at
  ON @schema@.outbox FOR EACH ROW EXECUTE FUNCTION @schema@.keep_outbox_key();

INSERT INTO @schema@.outbox_keys (object, key, due_at)
SELECT DISTINCT ON (object, key) object, key, CASE WHEN state = 'dead' THEN 'infinity' ELSE next_attempt_at END
  FROM @schema@.outbox WHERE state <> 'done'
 ORDER BY object, key, id;

-- The outbox is no longer walked to claim: the index that served it goes.
DROP INDEX @schema@.outbox_pending_due;
