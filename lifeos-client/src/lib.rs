//! LifeOS REST client. Not implemented yet: no issue has brought it so far. This crate
//! currently exports nothing.
