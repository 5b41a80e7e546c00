-- A key update is one move of the row's Kizen record from the old key to the new one. The
-- capture function still queues a delete of the old key and an insert of the new one (so every
-- daemon older than this one reads them as before), now naming each other in `moved_key`: the
-- daemon hands the identity over instead of archiving the record, and sends the new key's values
-- to the same record once that is done. Same signature, so the installed triggers keep pointing at
-- the function. Placeholders: see migrations/README.md.
ALTER TABLE @schema@.outbox ADD COLUMN moved_key text;  -- a key update: the key on the other side of the move

CREATE OR REPLACE FUNCTION @schema@.capture_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS @body@
DECLARE
  object_name   constant text   := TG_ARGV[0];
  key_column    constant text   := TG_ARGV[1];
  entity_column constant text   := TG_ARGV[2];
  captured      constant text[] := TG_ARGV[3:TG_NARGS - 1];
  new_full      jsonb;
  old_full      jsonb;
  new_image     jsonb;
  old_image     jsonb;
  new_key       text;
  old_key       text;
  changed       text[];   -- stays NULL except for an update of one key
  own_row       text;     -- the row the daemon says it is writing: object, newline, key
BEGIN
  -- Whole rows are only looked at here; the images keep just the mapped columns (the others may
  -- be sensitive and never leave the table).
  IF TG_OP <> 'DELETE' THEN
    new_full := to_jsonb(NEW);
    new_key := new_full ->> key_column;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    old_full := to_jsonb(OLD);
    old_key := old_full ->> key_column;
  END IF;

  -- The daemon's own writes (inbound sync, entity ids written back) must not come back to Kizen
  -- as changes. Only the very row it writes, which it names before each write: what that write
  -- sets off (an ON DELETE CASCADE, whose rows fire at the same trigger depth; an application
  -- trigger writing another row or table) is captured like any other change. An insert whose key
  -- comes from the column's default is named by its object alone.
  IF current_setting('kizen_sync.applying', true) = 'on' THEN
    own_row := current_setting('kizen_sync.applying_row', true);
    IF own_row = object_name || E'\n' || coalesce(new_key, old_key, '')
       OR (TG_OP = 'INSERT' AND own_row = object_name || E'\n') THEN
      RETURN NULL;
    END IF;
  END IF;

  -- An update of one key: which captured columns changed? None (only unmapped or Kizen-owned
  -- columns, or same values) means nothing for Kizen. Decided before building any image, as
  -- most updates of a busy table end here.
  IF TG_OP = 'UPDATE' AND new_key IS NOT DISTINCT FROM old_key THEN
    IF new_key IS NULL THEN RETURN NULL; END IF;
    SELECT array_agg(c ORDER BY n) INTO changed
      FROM unnest(captured) WITH ORDINALITY AS u(c, n)
     WHERE (new_full -> c) IS DISTINCT FROM (old_full -> c);
    IF changed IS NULL THEN RETURN NULL; END IF;
  END IF;

  -- Both images in one pass: captured columns plus the entity_id column.
  SELECT jsonb_object_agg(c, new_full -> c), jsonb_object_agg(c, old_full -> c)
    INTO new_image, old_image
    FROM unnest(CASE WHEN entity_column <> '' AND NOT entity_column = ANY (captured)
                     THEN captured || entity_column ELSE captured END) AS c;

  -- A row without a key value cannot be identified in Kizen: it stays out of the sync until it
  -- gets one (that update is then captured as an insert of the new key).
  IF TG_OP = 'INSERT' THEN
    IF new_key IS NULL THEN RETURN NULL; END IF;
    INSERT INTO @schema@.outbox (object, key, op, changed_columns, new_row)
    VALUES (object_name, new_key, 'insert', captured, new_image);
  ELSIF TG_OP = 'DELETE' THEN
    IF old_key IS NULL THEN RETURN NULL; END IF;
    INSERT INTO @schema@.outbox (object, key, op, changed_columns, old_row)
    VALUES (object_name, old_key, 'delete', '{}', old_image);
  ELSIF changed IS NULL THEN
    -- The update changed the key: the row moves. The old key's change (first, so it comes first)
    -- hands its Kizen record to the new key; the new key's waits for it, then sends every value.
    -- Either side NULL is no move: the row leaves the sync (a delete) or enters it (an insert).
    IF old_key IS NOT NULL THEN
      INSERT INTO @schema@.outbox (object, key, op, changed_columns, old_row, moved_key)
      VALUES (object_name, old_key, 'delete', '{}', old_image, new_key);
    END IF;
    IF new_key IS NOT NULL THEN
      INSERT INTO @schema@.outbox (object, key, op, changed_columns, new_row, moved_key)
      VALUES (object_name, new_key, 'insert', captured, new_image, old_key);
    END IF;
  ELSE
    INSERT INTO @schema@.outbox (object, key, op, changed_columns, new_row, old_row)
    VALUES (object_name, new_key, 'update', changed, new_image, old_image);
  END IF;

  PERFORM pg_notify(@channel@, object_name);
  RETURN NULL;
END
@body@;

-- Triggers need EXECUTE only when they are created (by migrate, as the owner).
REVOKE ALL ON FUNCTION @schema@.capture_change() FROM PUBLIC;
