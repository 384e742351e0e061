"""Question banks, periodic exams, per-officer papers and answer-sheet import."""
