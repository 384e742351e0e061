"""Study time: recording (tracker, sinks), reading sign-in files, and storing intervals as
packs with per-day totals."""
