"""The grading tests share builders and read-back helpers (gradekit.py beside this file).

The suite imports test modules with importlib, so this directory is put on sys.path here.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
