"""``python -m fazhi.cli``."""

from fazhi.cli import main

main()
