"""Install fazhi's JupyterLab pieces into an environment: ``python -m fazhi.lab_install``.

A wheel (``pip install .``) carries them as data files (pyproject ``[tool.setuptools.
data-files]``), but an editable install (``pip install -e .``, what ``make install`` does)
carries none, so ``make install`` copies the same files into ``sys.prefix``: the prebuilt
fazhi-lab extension, the config enabling its server endpoint, and zh_CN as the default locale.
Nothing is downloaded: the extension is built ahead of time (``make labextension``).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# target (relative to the environment's prefix) -> source in the package
INSTALLED = {
    "share/jupyter/labextensions/fazhi-lab": PACKAGE / "labextension",  # the built output
    # written after it: the build replaces its output folder, so this lives apart
    "share/jupyter/labextensions/fazhi-lab/install.json": PACKAGE / "lab_config" / "install.json",
    "etc/jupyter/jupyter_server_config.d/fazhi.json": (
        PACKAGE / "lab_config" / "jupyter_server_config.d" / "fazhi.json"
    ),
    "share/jupyter/lab/settings/overrides.d/fazhi.json": (
        PACKAGE / "lab_config" / "overrides.d" / "fazhi.json"
    ),
}


def install(prefix: Path | str = sys.prefix) -> list[Path]:
    """Copy every piece into ``prefix`` (replacing an earlier copy); returns the targets."""
    written = []
    for relative, source in INSTALLED.items():
        target = Path(prefix) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copyfile(source, target)
        written.append(target)
    return written


if __name__ == "__main__":
    for path in install():
        print(f"installed {path}")
