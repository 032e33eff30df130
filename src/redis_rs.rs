//! `redis` (redis-rs 1.x) errors to redis-py classes.
