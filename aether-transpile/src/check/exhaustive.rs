//! Match exhaustiveness and reachability (the usefulness algorithm of
//! Maranget, "Warnings for pattern matching", 2007), over patterns the
//! checker has already resolved against types.
