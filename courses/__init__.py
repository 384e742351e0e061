"""Law modules, case exercises and the officer-facing answering widgets."""
