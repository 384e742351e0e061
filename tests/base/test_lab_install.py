"""The prebuilt fazhi-lab JupyterLab extension, its server endpoint and the zh_CN default
reach an environment without building or downloading anything."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from fazhi.lab_install import INSTALLED, install

ROOT = Path(__file__).resolve().parents[2]


def test_lab_install_copies_the_prebuilt_extension_and_settings(tmp_path: Path) -> None:
    """Does `python -m fazhi.lab_install` put the built extension, the server-extension
    config and the zh_CN override into a prefix, replacing an earlier copy?"""
    install(tmp_path)
    (tmp_path / "share/jupyter/labextensions/fazhi-lab/static/stale.js").write_text("old")
    install(tmp_path)
    extension = tmp_path / "share/jupyter/labextensions/fazhi-lab"
    package = json.loads((extension / "package.json").read_text("utf-8"))
    assert package["name"] == "fazhi-lab" and package["jupyterlab"]["_build"]["load"]
    assert (extension / package["jupyterlab"]["_build"]["load"]).exists()
    assert not (extension / "static" / "stale.js").exists()
    server = tmp_path / "etc/jupyter/jupyter_server_config.d/fazhi.json"
    assert json.loads(server.read_text("utf-8")) == {
        "ServerApp": {"jpserver_extensions": {"fazhi.lab_server": True}}
    }
    overrides = tmp_path / "share/jupyter/lab/settings/overrides.d/fazhi.json"
    locale = json.loads(overrides.read_text("utf-8"))["@jupyterlab/translation-extension:plugin"]
    assert locale == {"locale": "zh_CN"}


def test_wheel_data_files_match_the_editable_install() -> None:
    """Do pyproject's data files (a wheel install) install the same files as lab_install (an
    editable install), so both kinds of install get the same JupyterLab?"""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    data_files = config["tool"]["setuptools"]["data-files"]
    from_wheel = set()
    for target, sources in data_files.items():
        for pattern in sources:
            for source in ROOT.glob(pattern):
                from_wheel.add((f"{target}/{source.name}", source.resolve()))
    from_install = set()
    for target, source in INSTALLED.items():
        files = sorted(source.rglob("*")) if source.is_dir() else [source]
        for path in files:
            if path.is_file():
                relative = path.relative_to(source).as_posix() if source.is_dir() else ""
                name = f"{target}/{relative}" if relative else target
                from_install.add((name, path.resolve()))
    assert from_wheel == from_install


@pytest.mark.slow
def test_jupyter_lists_the_extension_enabled() -> None:
    """After `make install`, does `jupyter labextension list` show fazhi-lab enabled and OK,
    and `jupyter server extension list` the fazhi endpoint?"""
    labs = subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "list"],
        capture_output=True,
        text=True,
        check=True,
    )
    plain = re.sub(r"\x1b\[[0-9;]*m", "", labs.stdout + labs.stderr)
    assert re.search(r"fazhi-lab v\S+ enabled OK \(python, fazhi\)", plain), plain
    servers = subprocess.run(
        [sys.executable, "-m", "jupyter", "server", "extension", "list"],
        capture_output=True,
        text=True,
        check=True,
    )
    plain = re.sub(r"\x1b\[[0-9;]*m", "", servers.stdout + servers.stderr)
    assert re.search(r"fazhi\.lab_server enabled", plain), plain
