"""The reference central platform: `yiciban platform`. It speaks yiciban's sync protocol to
halls, stores their records with idempotent upserts keyed by the records' UUIDs, and publishes
reference data. SQLite by default; the same SQL runs on PostgreSQL (sync.platform.db)."""
