//! Every fixed statement of the SQL layer, written once with `?` placeholders and built
//! once per store in the dialect's style (`?` for SQLite, `$1` for PostgreSQL).

/// A dialect's placeholder style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `?` (and `?N`), as written.
    Question,
    /// `$1`, `$2`, ... (`?N` becomes `$N`).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Dollar,
}

impl Style {
    /// `sql` in this style: each bare `?` numbered in order, `?N` kept as `N`.
    pub(crate) fn apply(self, sql: &str) -> String {
        if self == Style::Question {
            return sql.to_owned();
        }
        let mut out = String::with_capacity(sql.len() + 16);
        let mut next = 0usize;
        let mut chars = sql.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '?' {
                out.push(c);
                continue;
            }
            out.push('$');
            if chars.peek().is_some_and(char::is_ascii_digit) {
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    out.push(d);
                }
            } else {
                next += 1;
                out.push_str(&next.to_string());
            }
        }
        out
    }

    /// Appends the placeholder of the `n`-th argument (1-based).
    pub(crate) fn push_placeholder(self, sql: &mut String, n: usize) {
        match self {
            Style::Question => sql.push('?'),
            Style::Dollar => {
                sql.push('$');
                sql.push_str(&n.to_string());
            }
        }
    }
}

macro_rules! statements {
    ($($(#[$doc:meta])* $name:ident = $sql:expr;)*) => {
        /// The fixed statements in one placeholder style.
        #[derive(Debug, Clone)]
        pub(crate) struct Statements {
            /// The style they are written in.
            pub(crate) style: Style,
            $($(#[$doc])* pub(crate) $name: String,)*
        }

        impl Statements {
            pub(crate) fn new(style: Style) -> Self {
                Statements {
                    style,
                    $($name: style.apply($sql),)*
                }
            }
        }
    };
}

const TASK_COLUMNS: &str = "title_folded, status, labels, project_id, due_date, \
     scheduled_start, deleted_at, version, data";

statements! {
    /// Appends one event, returning its `seq`.
    append_event = "INSERT INTO events (id, user_id, event_type, entity_id, occurred_at, envelope) \
        VALUES (?, ?, ?, ?, ?, ?) RETURNING seq";
    /// A user's events in `seq` order.
    events_of_user = "SELECT seq, envelope FROM events WHERE user_id = ? ORDER BY seq";

    /// A task by id and owner.
    task = "SELECT id, data FROM tasks WHERE id = ? AND user_id = ?";
    /// The stored version of a task.
    task_version = "SELECT version FROM tasks WHERE id = ? AND user_id = ?";
    /// A new task: the projected columns, then `id`, `user_id`, `created_at`.
    insert_task = &format!("INSERT INTO tasks ({TASK_COLUMNS}, id, user_id, created_at) \
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    /// A changed task, guarded by the version it was read at.
    update_task = "UPDATE tasks SET title_folded = ?, status = ?, labels = ?, project_id = ?, \
        due_date = ?, scheduled_start = ?, deleted_at = ?, version = ?, data = ? \
        WHERE id = ? AND user_id = ? AND version = ?";
    /// A user's tasks that may have dependencies, deleted ones too: a superset (the text
    /// `"depends_on":[]` can only be the empty list's, since quotes inside JSON strings are
    /// escaped), decoded to decide.
    tasks_with_dependencies = "SELECT id, data FROM tasks WHERE user_id = ? \
        AND data NOT LIKE '%\"depends_on\":[]%'";
    /// Each of a user's actionable tasks, for a `ReadGuard`: its version as text, then
    /// ` timed` when it takes time (a slot, or a pinned start: the text `"pinned_start":"`
    /// is only a set start's, quotes inside JSON strings being escaped).
    actionable_task_versions = "SELECT id, CAST(version AS TEXT) || CASE \
        WHEN scheduled_start IS NOT NULL OR data LIKE '%\"pinned_start\":\"%' THEN ' timed' \
        ELSE '' END FROM tasks WHERE user_id = ? \
        AND deleted_at IS NULL AND status IN ('pending', 'in_progress')";
    /// A user's tasks in `(created_at, id)` order, deleted ones too.
    tasks_of_user = "SELECT id, data FROM tasks WHERE user_id = ? ORDER BY created_at, id";

    /// A project by id and owner.
    project = "SELECT id, data FROM projects WHERE id = ? AND user_id = ?";
    /// A new project.
    insert_project = "INSERT INTO projects (id, user_id, created_at, deleted_at, version, data) \
        VALUES (?, ?, ?, ?, ?, ?)";
    /// A changed project.
    update_project = "UPDATE projects SET deleted_at = ?, version = ?, data = ? \
        WHERE id = ? AND user_id = ?";
    /// A user's projects, deleted ones too.
    projects_of_user = "SELECT id, data FROM projects WHERE user_id = ? ORDER BY created_at, id";
    /// A user's live projects.
    live_projects_of_user = "SELECT id, data FROM projects WHERE user_id = ? \
        AND deleted_at IS NULL ORDER BY created_at, id";

    /// A calendar event by id and owner.
    calendar_event = "SELECT id, data FROM calendar_events WHERE id = ? AND user_id = ?";
    /// A calendar event by its upsert key.
    calendar_event_by_key = "SELECT id, data FROM calendar_events WHERE user_id = ? \
        AND provider = ? AND external_id = ? AND recurrence_key = ?";
    /// A new calendar event: the projected columns, then `id`, `user_id`.
    insert_calendar_event = "INSERT INTO calendar_events (provider, external_id, recurrence_key, \
        kind, series_id, lo, hi, series_until, etag, deleted_at, data, id, user_id) \
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    /// A changed calendar event.
    update_calendar_event = "UPDATE calendar_events SET provider = ?, external_id = ?, \
        recurrence_key = ?, kind = ?, series_id = ?, lo = ?, hi = ?, series_until = ?, etag = ?, \
        deleted_at = ?, data = ? WHERE id = ? AND user_id = ?";
    /// A user's calendar events by id, deleted ones too.
    calendar_events_of_user = "SELECT id, data FROM calendar_events WHERE user_id = ? ORDER BY id";
    /// A user's live calendar events by id.
    live_calendar_events_of_user = "SELECT id, data FROM calendar_events WHERE user_id = ? \
        AND deleted_at IS NULL ORDER BY id";
    /// The events that may touch a window (see `CalendarStore::list_events_for_window`):
    /// `?1` the user, `?2` from, `?3` to.
    calendar_window = "SELECT e.id, e.data FROM calendar_events e WHERE e.user_id = ?1 \
        AND e.deleted_at IS NULL AND ( \
          (e.kind = 'single' AND e.lo <= ?3 AND e.hi >= ?2) \
          OR (e.kind = 'master' AND e.lo <= ?3 AND (e.series_until IS NULL OR e.series_until >= ?2)) \
          OR (e.kind = 'override' AND ((e.lo <= ?3 AND e.hi >= ?2) OR EXISTS ( \
              SELECT 1 FROM calendar_events m WHERE m.id = e.series_id AND m.user_id = e.user_id \
              AND m.deleted_at IS NULL AND m.kind = 'master' AND m.lo <= ?3 \
              AND (m.series_until IS NULL OR m.series_until >= ?2)))) \
        ) ORDER BY e.id";

    /// The user's profile.
    profile = "SELECT user_id, data FROM profiles WHERE user_id = ?";
    /// A new profile.
    insert_profile = "INSERT INTO profiles (user_id, version, data) VALUES (?, ?, ?)";
    /// A changed profile.
    update_profile = "UPDATE profiles SET version = ?, data = ? WHERE user_id = ?";

    /// A subscription by its Stripe id.
    subscription = "SELECT id, data FROM subscriptions WHERE user_id = ? \
        AND stripe_subscription_id = ?";
    /// A new or changed subscription.
    upsert_subscription = "INSERT INTO subscriptions (id, user_id, stripe_subscription_id, \
        created_at, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data";
    /// A user's subscriptions, oldest first.
    subscriptions_of_user = "SELECT id, data FROM subscriptions WHERE user_id = ? \
        ORDER BY created_at, id";

    /// A token by provider.
    token = "SELECT id, data FROM oauth_tokens WHERE user_id = ? AND provider = ?";
    /// A new or re-sealed token.
    upsert_token = "INSERT INTO oauth_tokens (id, user_id, provider, key_id, data) \
        VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET key_id = excluded.key_id, \
        data = excluded.data";
    /// Deletes a token.
    delete_token = "DELETE FROM oauth_tokens WHERE id = ? AND user_id = ?";
    /// A user's tokens by provider.
    tokens_of_user = "SELECT id, data FROM oauth_tokens WHERE user_id = ? ORDER BY provider";

    /// A user's live idempotency record of a scope: `?1` the user, `?2` the scope, `?3`
    /// the oldest live `created_at` (exclusive).
    idempotency_record = "SELECT user_id, data FROM idempotency_records \
        WHERE user_id = ?1 AND scope = ?2 AND created_at > ?3";
    /// Purges a user's expired idempotency records (`created_at` at or before `?`).
    purge_idempotency_records = "DELETE FROM idempotency_records \
        WHERE user_id = ? AND created_at <= ?";
    /// Every idempotency record of a user (erasure).
    erase_idempotency_records = "DELETE FROM idempotency_records WHERE user_id = ?";
    /// A new idempotency record.
    insert_idempotency_record = "INSERT INTO idempotency_records (user_id, scope, created_at, data) \
        VALUES (?, ?, ?, ?)";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollar_style_numbers_bare_and_keeps_explicit_placeholders() {
        assert_eq!(Style::Dollar.apply("a = ? AND b = ?"), "a = $1 AND b = $2");
        assert_eq!(Style::Dollar.apply("a = ?2 OR b = ?1"), "a = $2 OR b = $1");
        assert_eq!(Style::Question.apply("a = ?"), "a = ?");
    }
}
