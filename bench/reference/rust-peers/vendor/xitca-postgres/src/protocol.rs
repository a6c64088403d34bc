//! re-export of postgres-protocol crate with additional query functions

pub(crate) use postgres_protocol::*;
