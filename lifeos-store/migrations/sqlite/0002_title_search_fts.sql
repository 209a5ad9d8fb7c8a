-- Title search through an FTS5 trigram index over `tasks.title_folded` (the title as
-- `str::to_lowercase` folds it). The index is external-content: it stores the trigrams
-- only, reads the text from `tasks`, and these triggers keep it in step inside the same
-- transaction as every insert, update and delete of a task (erasure included).
-- `case_sensitive 1`: the text is folded already, so the index compares exactly what the
-- store compares. A search still re-checks `title_folded LIKE`, so the result never
-- depends on the index alone.
CREATE VIRTUAL TABLE tasks_fts USING fts5(
    title_folded,
    content = 'tasks',
    content_rowid = 'rowid',
    tokenize = 'trigram case_sensitive 1'
);

CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks
BEGIN
    INSERT INTO tasks_fts (rowid, title_folded) VALUES (NEW.rowid, NEW.title_folded);
END;

CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks
BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, title_folded)
        VALUES ('delete', OLD.rowid, OLD.title_folded);
END;

CREATE TRIGGER tasks_fts_update AFTER UPDATE OF title_folded ON tasks
WHEN OLD.title_folded IS NOT NEW.title_folded
BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, title_folded)
        VALUES ('delete', OLD.rowid, OLD.title_folded);
    INSERT INTO tasks_fts (rowid, title_folded) VALUES (NEW.rowid, NEW.title_folded);
END;

-- Index the tasks stored before this migration.
INSERT INTO tasks_fts (tasks_fts) VALUES ('rebuild');
