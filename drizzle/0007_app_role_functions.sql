-- The console's own login may not create, attach or drop tables: these two functions, run with the
-- owner's rights, are all the DDL it needs. Each touches only day partitions of public.events.
CREATE FUNCTION agentsoc_create_event_partition(day date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '5s'
AS $$
DECLARE
  partition_name text := 'events_p' || to_char(day, 'YYYYMMDD');
BEGIN
  IF day IS NULL THEN
    RAISE EXCEPTION 'a partition day is required' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  -- Serialises partition DDL between app instances; CREATE ... IF NOT EXISTS alone can still race.
  PERFORM pg_advisory_xact_lock(hashtext('agentsoc:events_partitions'));
  IF EXISTS (
    SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'public.events'::regclass AND c.relname = partition_name
  ) THEN
    RETURN;
  END IF;
  -- Created on its own and then attached: ATTACH PARTITION lets ingest and reads go on, where
  -- CREATE TABLE ... PARTITION OF would block every reader and writer of events for a moment.
  EXECUTE format('CREATE TABLE public.%I (LIKE public.events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', partition_name);
  EXECUTE format(
    'ALTER TABLE public.events ATTACH PARTITION public.%I FOR VALUES FROM (%L) TO (%L)',
    partition_name,
    to_char(day, 'YYYY-MM-DD') || ' 00:00:00+00',
    to_char(day + 1, 'YYYY-MM-DD') || ' 00:00:00+00'
  );
END $$;
--> statement-breakpoint
CREATE FUNCTION agentsoc_drop_event_partitions_before(cutoff timestamptz) RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '5s'
AS $$
DECLARE
  -- Whatever the caller asks, the last day stays: the console's login cannot empty events through this.
  latest timestamptz := least(cutoff, now() - interval '1 day');
  partition_name text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('agentsoc:events_partitions'));
  FOR partition_name IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'public.events'::regclass AND c.relname ~ '^events_p[0-9]{8}$'
    ORDER BY c.relname
  LOOP
    -- A partition goes once its newest possible row is older than the cutoff.
    IF (to_date(substr(partition_name, 9), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= latest THEN
      EXECUTE format('DROP TABLE public.%I', partition_name);
      RETURN NEXT partition_name;
    END IF;
  END LOOP;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION agentsoc_create_event_partition(date) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION agentsoc_drop_event_partitions_before(timestamptz) FROM PUBLIC;
