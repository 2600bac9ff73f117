CREATE TABLE "retention_policy" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"retention_days" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "retention_policy_one_row" CHECK ("retention_policy"."id" = 1),
	CONSTRAINT "retention_policy_at_least_a_day" CHECK ("retention_policy"."retention_days" >= 1)
);
--> statement-breakpoint
-- The dropping itself, for whoever owns the partitions: SECURITY INVOKER, so the console's login,
-- which owns nothing, could not drop a partition through it even if it were granted to it.
CREATE FUNCTION agentsoc_drop_event_partitions_keeping(keep_days integer, cutoff timestamptz) RETURNS SETOF text
LANGUAGE plpgsql SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '5s'
AS $$
DECLARE
  latest timestamptz;
  partition_name text;
BEGIN
  IF keep_days IS NULL OR keep_days < 1 THEN
    RAISE EXCEPTION 'at least one day of events is kept (got %)', keep_days USING ERRCODE = 'invalid_parameter_value';
  END IF;
  latest := least(cutoff, now() - make_interval(days => keep_days));
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
REVOKE ALL ON FUNCTION agentsoc_drop_event_partitions_keeping(integer, timestamptz) FROM PUBLIC;
--> statement-breakpoint
-- Whatever cutoff the console's login asks for, the retention the owner configured stays.
CREATE OR REPLACE FUNCTION agentsoc_drop_event_partitions_before(cutoff timestamptz) RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '5s'
AS $$
DECLARE
  floor_days integer;
BEGIN
  SELECT retention_days INTO floor_days FROM public.retention_policy;
  IF floor_days IS NULL THEN
    RAISE EXCEPTION 'no retention floor is set: run the migrations (npm run soc -- migrate)' USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  RETURN QUERY SELECT name FROM public.agentsoc_drop_event_partitions_keeping(floor_days, cutoff) AS name;
END $$;
