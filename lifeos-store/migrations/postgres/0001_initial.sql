-- LifeOS PostgreSQL schema, created in the connection's current schema (the first entry
-- of `search_path`) by the schema owner: the role the store connects as. Rows keep the full
-- domain value as JSON text in `data` plus the projected columns that filters, ordering,
-- keys and foreign keys need. Instants are BIGINT nanoseconds since the epoch (the exact
-- values the other backends compare); ids are UUIDs.
--
-- The roles `lifeos_app` (the application: owns nothing, never a superuser, NOBYPASSRLS)
-- and `lifeos_relay` (the NATS relay) are cluster-wide and created idempotently by the
-- store before this runs. Every application transaction runs as `lifeos_app` with
-- `lifeos.user_id` set locally; the policies below let it see and write that user's rows
-- only.

DO $$ BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO lifeos_app, lifeos_relay', current_schema());
END $$;

CREATE FUNCTION lifeos_user_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('lifeos.user_id', true), '')::uuid $$;

CREATE TABLE profiles (
    user_id uuid PRIMARY KEY,
    version bigint NOT NULL,
    data text NOT NULL
);

CREATE TABLE projects (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    created_at bigint NOT NULL,
    deleted_at bigint,
    version bigint NOT NULL,
    data text NOT NULL,
    UNIQUE (user_id, id)
);
CREATE INDEX projects_user_created ON projects (user_id, created_at, id);

CREATE TABLE tasks (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    title_folded text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'in_progress', 'completed', 'cancelled')),
    labels text[] NOT NULL,
    project_id uuid,
    due_date bigint,
    scheduled_start bigint,
    created_at bigint NOT NULL,
    deleted_at bigint,
    version bigint NOT NULL,
    data text NOT NULL,
    -- A task may only name a project of its own user.
    FOREIGN KEY (user_id, project_id) REFERENCES projects (user_id, id)
);
CREATE INDEX tasks_user_created ON tasks (user_id, created_at, id);
CREATE INDEX tasks_user_status ON tasks (user_id, status, created_at, id);
CREATE INDEX tasks_user_due ON tasks (user_id, due_date) WHERE deleted_at IS NULL;
CREATE INDEX tasks_user_scheduled ON tasks (user_id, scheduled_start) WHERE deleted_at IS NULL;
CREATE INDEX tasks_project ON tasks (user_id, project_id) WHERE project_id IS NOT NULL;
-- Title search: `title_folded LIKE '%text%'` served by a trigram index (pg_trgm, created
-- by the store in schema public before the migrations).
CREATE INDEX tasks_title_trgm ON tasks USING gin (title_folded public.gin_trgm_ops);

CREATE TABLE calendar_events (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    provider text NOT NULL,
    external_id text,
    recurrence_key text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('single', 'master', 'override')),
    series_id uuid,
    lo bigint NOT NULL,
    hi bigint NOT NULL,
    series_until bigint,
    etag text,
    deleted_at bigint,
    data text NOT NULL
);
CREATE UNIQUE INDEX calendar_events_external
    ON calendar_events (user_id, provider, external_id, recurrence_key) WHERE external_id IS NOT NULL;
CREATE INDEX calendar_events_user ON calendar_events (user_id, id);
CREATE INDEX calendar_events_window ON calendar_events (user_id, kind, lo) WHERE deleted_at IS NULL;
CREATE INDEX calendar_events_series ON calendar_events (user_id, series_id) WHERE series_id IS NOT NULL;

CREATE TABLE subscriptions (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    stripe_subscription_id text NOT NULL,
    created_at bigint NOT NULL,
    data text NOT NULL,
    UNIQUE (user_id, stripe_subscription_id)
);

CREATE TABLE oauth_tokens (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    provider text NOT NULL,
    key_id bigint NOT NULL,
    data text NOT NULL,
    UNIQUE (user_id, provider)
);

-- The append-only event log. `seq` increases in insertion order; writers of one user are
-- serialized (a transaction-scoped advisory lock), so one user's events commit in `seq`
-- order. `xid` is the inserting transaction's id: the relay publishes by xid watermark so
-- that a transaction committing late is never skipped.
CREATE TABLE events (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id uuid NOT NULL UNIQUE,
    user_id uuid NOT NULL,
    event_type text NOT NULL,
    entity_id uuid NOT NULL,
    occurred_at bigint NOT NULL,
    envelope text NOT NULL,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX events_user_seq ON events (user_id, seq);
CREATE INDEX events_user_type ON events (user_id, event_type, seq);
CREATE INDEX events_user_entity ON events (user_id, entity_id, seq);
CREATE INDEX events_xid ON events (xid, seq);

-- The relay's watermark per (stream, subject prefix).
CREATE TABLE relay_offsets (
    relay text PRIMARY KEY,
    watermark xid8 NOT NULL
);

-- Append-only: no UPDATE; DELETE only inside erase_user_events (which sets
-- `lifeos.erasing` to the user it erases, locally).
CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('lifeos.erasing', true) = OLD.user_id::text THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the event log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();

-- `subscribe`: a notification per committed event, on a channel named after the schema,
-- carrying `<user_id> <seq>`; listeners fetch the row through RLS.
CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.events', NEW.user_id::text || ' ' || NEW.seq::text);
    RETURN NULL;
END $$;
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_notify();

-- GDPR erasure of the log: the only path that deletes events. Runs as the schema owner,
-- only for the user the calling transaction is scoped to, and keeps earlier tombstones.
CREATE FUNCTION erase_user_events(target uuid) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    n bigint;
BEGIN
    IF target IS DISTINCT FROM lifeos_user_id() THEN
        RAISE EXCEPTION 'erase_user_events: only the current user may be erased'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('lifeos.erasing', target::text, true);
    DELETE FROM events WHERE user_id = target AND event_type <> 'user.erased';
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('lifeos.erasing', '', true);
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION erase_user_events(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION erase_user_events(uuid) TO lifeos_app;

-- Row Level Security: the database itself refuses cross-tenant access.
ALTER TABLE profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE calendar_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE oauth_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE events ENABLE ROW LEVEL SECURITY;

CREATE POLICY own_rows ON profiles TO lifeos_app
    USING (user_id = lifeos_user_id()) WITH CHECK (user_id = lifeos_user_id());
CREATE POLICY own_rows ON projects TO lifeos_app
    USING (user_id = lifeos_user_id()) WITH CHECK (user_id = lifeos_user_id());
CREATE POLICY own_rows ON tasks TO lifeos_app
    USING (user_id = lifeos_user_id()) WITH CHECK (user_id = lifeos_user_id());
CREATE POLICY own_rows ON calendar_events TO lifeos_app
    USING (user_id = lifeos_user_id()) WITH CHECK (user_id = lifeos_user_id());
CREATE POLICY own_rows ON subscriptions TO lifeos_app
    USING (user_id = lifeos_user_id()) WITH CHECK (user_id = lifeos_user_id());
CREATE POLICY own_rows ON oauth_tokens TO lifeos_app
    USING (user_id = lifeos_user_id()) WITH CHECK (user_id = lifeos_user_id());
CREATE POLICY own_events_read ON events FOR SELECT TO lifeos_app
    USING (user_id = lifeos_user_id());
CREATE POLICY own_events_append ON events FOR INSERT TO lifeos_app
    WITH CHECK (user_id = lifeos_user_id());
-- The relay reads every user's events (and nothing else).
CREATE POLICY relay_reads_all ON events FOR SELECT TO lifeos_relay USING (true);

GRANT SELECT, INSERT, UPDATE, DELETE
    ON profiles, projects, tasks, calendar_events, subscriptions, oauth_tokens TO lifeos_app;
GRANT SELECT, INSERT ON events TO lifeos_app;
REVOKE UPDATE, DELETE, TRUNCATE ON events FROM lifeos_app;
GRANT SELECT ON events TO lifeos_relay;
GRANT SELECT, INSERT, UPDATE ON relay_offsets TO lifeos_relay;
