-- LifeOS SQLite schema. Each row keeps the full domain value as JSON in `data` (exact
-- round-trip of every field) plus the projected columns that filters, ordering, keys and
-- foreign keys need. Instants are INTEGER nanoseconds since the epoch; ids are 16-byte BLOBs.

CREATE TABLE profiles (
    user_id BLOB PRIMARY KEY,
    version INTEGER NOT NULL,
    data TEXT NOT NULL
) STRICT;

CREATE TABLE projects (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (user_id, id)
) STRICT;
CREATE INDEX projects_user_created ON projects (user_id, created_at, id);

CREATE TABLE tasks (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL,
    title_folded TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'in_progress', 'completed', 'cancelled')),
    labels TEXT NOT NULL,
    project_id BLOB,
    due_date INTEGER,
    scheduled_start INTEGER,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    -- A task may only name a project of its own user.
    FOREIGN KEY (user_id, project_id) REFERENCES projects (user_id, id)
) STRICT;
-- Keyset order for listing; `deleted_at` and `title_folded` ride along so a title search
-- filters on the index alone and reads only the matching rows.
CREATE INDEX tasks_user_created ON tasks (user_id, created_at, id, deleted_at, title_folded);
-- Listing by status runs one ordered range per status on this index (see list_tasks).
CREATE INDEX tasks_user_status ON tasks (user_id, status, created_at, id);
CREATE INDEX tasks_user_due ON tasks (user_id, due_date) WHERE deleted_at IS NULL;
CREATE INDEX tasks_user_scheduled ON tasks (user_id, scheduled_start) WHERE deleted_at IS NULL;
CREATE INDEX tasks_project ON tasks (user_id, project_id) WHERE project_id IS NOT NULL;

CREATE TABLE calendar_events (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL,
    provider TEXT NOT NULL,
    external_id TEXT,
    recurrence_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('single', 'master', 'override')),
    series_id BLOB,
    lo INTEGER NOT NULL,
    hi INTEGER NOT NULL,
    series_until INTEGER,
    etag TEXT,
    deleted_at INTEGER,
    data TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX calendar_events_external
    ON calendar_events (user_id, provider, external_id, recurrence_key) WHERE external_id IS NOT NULL;
CREATE INDEX calendar_events_user ON calendar_events (user_id, id);
CREATE INDEX calendar_events_window ON calendar_events (user_id, kind, lo) WHERE deleted_at IS NULL;
CREATE INDEX calendar_events_series ON calendar_events (user_id, series_id) WHERE series_id IS NOT NULL;

CREATE TABLE subscriptions (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL,
    stripe_subscription_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (user_id, stripe_subscription_id)
) STRICT;

CREATE TABLE oauth_tokens (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL,
    provider TEXT NOT NULL,
    key_id INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (user_id, provider)
) STRICT;

-- The append-only event log. `seq` is assigned by SQLite in commit order (one writer).
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id BLOB NOT NULL UNIQUE,
    user_id BLOB NOT NULL,
    event_type TEXT NOT NULL,
    entity_id BLOB NOT NULL,
    occurred_at INTEGER NOT NULL,
    envelope TEXT NOT NULL
) STRICT;
CREATE INDEX events_user_seq ON events (user_id, seq);
CREATE INDEX events_user_type ON events (user_id, event_type, seq);
CREATE INDEX events_user_entity ON events (user_id, entity_id, seq);

-- GDPR erasure lists the user here within its transaction; only then may that user's
-- events be deleted.
CREATE TABLE erasure_in_progress (
    user_id BLOB PRIMARY KEY
) STRICT;

CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: UPDATE refused');
END;

CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
WHEN NOT EXISTS (SELECT 1 FROM erasure_in_progress WHERE user_id = OLD.user_id)
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: DELETE refused');
END;
