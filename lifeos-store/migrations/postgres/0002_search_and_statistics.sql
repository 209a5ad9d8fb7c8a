-- Title search under RLS. `LIKE` (and pg_trgm's operators) are not LEAKPROOF, so the
-- planner may not evaluate them before the RLS policy and cannot use the trigram index
-- for a query running as lifeos_app: it would scan every task of the user. This function
-- runs the search as the schema owner (RLS does not apply to the owner) but only over
-- the rows of the user the calling transaction is scoped to, so it returns nothing RLS
-- would hide; the caller's query then reads the rows themselves through RLS. EXECUTE
-- plans with the actual pattern, so the trigram index serves selective patterns.
CREATE FUNCTION search_task_ids(pattern text) RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    RETURN QUERY EXECUTE
        'SELECT id FROM tasks WHERE user_id = $1 AND deleted_at IS NULL AND title_folded LIKE $2'
        USING lifeos_user_id(), pattern;
END $$;
REVOKE ALL ON FUNCTION search_task_ids(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search_task_ids(text) TO lifeos_app;

-- Statuses are far from independent of users (one user's tasks are mostly completed,
-- another's pending): joint statistics let the planner pick `tasks_user_status` for a
-- status listing instead of walking all of a user's tasks in created order.
CREATE STATISTICS tasks_user_status_stats (mcv) ON user_id, status FROM tasks;
-- A new statistics object is empty until the next ANALYZE, and autovacuum does not run
-- one for it: gather it now (on a large existing table this takes a few seconds).
ANALYZE tasks;
