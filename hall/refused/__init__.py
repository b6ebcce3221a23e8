"""Offline tickets the hall refused at hand-in: a citizen holds a printed number that will never be
called, so the floor staff must find them. `ledger` is the pure record (events folded, which
refusals count, the reasons in plain words); `service` records and handles under the hall's lock."""
