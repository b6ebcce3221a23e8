"""The hall operators' console: the hall's own announcements and policy explanations, the
board's layout and ticker, the windows' LED idle texts and the LED schedule, the urgent
broadcast, and the audit of every change (kept in the hall and synced as `operator.change`)."""
