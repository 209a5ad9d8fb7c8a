-- Idempotency records (API.md "Lists, versions, idempotency, limits"): the stored answer
-- of a keyed write, inserted in the change's own transaction. `scope` is the method, path
-- and key; `data` the whole record as JSON. Replayed for 24 h, purged lazily per user.
CREATE TABLE idempotency_records (
    user_id BLOB NOT NULL,
    scope TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (user_id, scope)
) STRICT;
CREATE INDEX idempotency_records_created ON idempotency_records (user_id, created_at);
