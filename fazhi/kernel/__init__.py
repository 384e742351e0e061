"""What runs inside an officer's kernel: answer sheets, scoring rules, the answering widgets
(``Sheet``) and per-officer exam papers (``Paper``). Imported by compiled notebooks and by the
kernel-free grader alike, so both score with the same functions."""
