//! Opaque list cursors bound to the user, the route and every filter but `limit`: the
//! store's position and a SHA-256 binding, base64url-encoded. A cursor edited, forged or
//! reused with other filters is refused (400 naming `cursor`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lifeos::core::UserId;
use lifeos::store::Cursor;
use sha2::{Digest, Sha256};

use crate::problem::ApiError;

fn binding(user: UserId, route: &str, filters: &str, position: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        "lifeos-cursor/1",
        &user.to_string(),
        route,
        filters,
        position,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The cursor text for the store's `position` on `route` under `filters`.
pub fn encode(user: UserId, route: &str, filters: &str, position: &Cursor) -> String {
    let position = position.to_string();
    let tag = binding(user, route, filters, &position);
    URL_SAFE_NO_PAD.encode(format!("{position}~{tag}"))
}

/// The store position of a cursor given back on `route` under `filters`.
///
/// # Errors
/// 400 naming `cursor` when it was not issued for this user, route and filters.
pub fn decode(user: UserId, route: &str, filters: &str, text: &str) -> Result<Cursor, ApiError> {
    let bad = || {
        ApiError::bad_param(
            "cursor",
            "a cursor returned by this list with the same filters",
        )
    };
    let raw = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    let (position, tag) = raw.split_once('~').ok_or_else(bad)?;
    if binding(user, route, filters, position) != tag {
        return Err(bad());
    }
    position.parse().map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_is_bound_to_user_route_and_filters() {
        let u = UserId::from_uuid(uuid::Uuid::from_u128(1));
        let pos: Cursor = "1700000000.5_0190d5d7a0c07b3e8a1b2c3d4e5f6a7b"
            .parse()
            .unwrap();
        let c = encode(u, "tasks", "status=pending", &pos);
        assert_eq!(decode(u, "tasks", "status=pending", &c).unwrap(), pos);
        assert!(decode(u, "tasks", "status=completed", &c).is_err());
        let other = UserId::from_uuid(uuid::Uuid::from_u128(2));
        assert!(decode(other, "tasks", "status=pending", &c).is_err());
        assert!(decode(u, "tasks", "status=pending", "garbage").is_err());
    }
}
