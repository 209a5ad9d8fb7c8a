-- SECURITY DEFINER functions run as the owner: pin their search_path to this schema with
-- pg_temp last, so a temporary table the caller creates (PUBLIC may create temporary
-- tables) can never stand in for `events` or `tasks` inside them.
DO $$ BEGIN
    EXECUTE format('ALTER FUNCTION erase_user_events(uuid) SET search_path = %I, pg_temp',
                   current_schema());
    EXECUTE format('ALTER FUNCTION search_task_ids(text) SET search_path = %I, pg_temp',
                   current_schema());
END $$;
