//! Idempotency records in memory.

use super::prelude::*;
use crate::idempotency::{IdempotencyRecord, IdempotencyScope, IdempotencyStore, duplicate};

#[async_trait]
impl IdempotencyStore for MemoryStore {
    async fn idempotency_record(
        &self,
        user: UserId,
        scope: &IdempotencyScope,
    ) -> Result<Option<IdempotencyRecord>> {
        let now = self.ctx.now();
        Ok(self.read(|s| {
            s.idempotency
                .get(&(user, scope.storage_key()))
                .filter(|r| r.is_live(now))
                .cloned()
        }))
    }

    async fn put_idempotency_record(
        &self,
        user: UserId,
        mut record: IdempotencyRecord,
    ) -> Result<()> {
        let now = self.ctx.now();
        record.created_at = now;
        let mut state = lock(&self.state);
        let key = (user, record.scope.storage_key());
        if state.idempotency.get(&key).is_some_and(|r| r.is_live(now)) {
            return Err(duplicate(&record.scope));
        }
        state
            .idempotency
            .retain(|(u, _), r| *u != user || r.is_live(now));
        state.idempotency.insert(key, record);
        Ok(())
    }
}
