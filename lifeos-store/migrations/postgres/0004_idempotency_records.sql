-- Idempotency records (API.md "Lists, versions, idempotency, limits"): the stored answer
-- of a keyed write, inserted in the change's own transaction. `scope` is the method, path
-- and key; `data` the whole record as JSON. Replayed for 24 h, purged lazily per user.
CREATE TABLE idempotency_records (
    user_id uuid NOT NULL,
    scope text NOT NULL,
    created_at bigint NOT NULL,
    data text NOT NULL,
    PRIMARY KEY (user_id, scope)
);
CREATE INDEX idempotency_records_created ON idempotency_records (user_id, created_at);

ALTER TABLE idempotency_records ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON idempotency_records TO lifeos_app
    USING (user_id = lifeos_user_id()) WITH CHECK (user_id = lifeos_user_id());
GRANT SELECT, INSERT, DELETE ON idempotency_records TO lifeos_app;
