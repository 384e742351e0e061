"""The CLI's deferred imports: a stand-in runs its module on first use, exactly once, and then is
the real module; the deferred third-party modules behave as if imported normally."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from fazhi.cli.deferred_imports import DEFERRED, Deferral, defer

PACKAGE = "fazhi_deferme"
PROBE = "fazhi_deferme_probe"

INIT = f"""
import time

import {PROBE}

{PROBE}.runs += 1
time.sleep({PROBE}.delay)

from . import helpers  # the package's own code imports a submodule while it runs


def double(x):
    return 2 * x


VALUE = helpers.VALUE


def __getattr__(name):  # the package's own lazy attributes (PEP 562), as IPython has
    if name == "LAZY":
        return "lazy"
    raise AttributeError(name)
"""


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """A package counting how often its ``__init__`` ran (in the probe module it yields)."""
    (tmp_path / PACKAGE).mkdir()
    (tmp_path / PACKAGE / "__init__.py").write_text(INIT, encoding="utf-8")
    (tmp_path / PACKAGE / "helpers.py").write_text("VALUE = 42\n", encoding="utf-8")
    (tmp_path / f"{PROBE}.py").write_text("runs = 0\ndelay = 0.0\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield importlib.import_module(PROBE)
    for name in [m for m in sys.modules if m.startswith(PACKAGE)]:
        del sys.modules[name]


def _defer(functions: tuple[str, ...] = ()) -> ModuleType:
    stand_in = defer(Deferral(PACKAGE, "test", functions=functions))
    assert stand_in is not None and sys.modules[PACKAGE] is stand_in
    return stand_in


def test_stand_in_runs_its_module_once_on_first_use(package: ModuleType) -> None:
    """Are submodules and bound functions free, and does the first call make it the real module?"""
    stand_in = _defer(functions=("double",))
    from fazhi_deferme import double
    from fazhi_deferme.helpers import VALUE

    assert VALUE == 42 and package.runs == 0
    assert double(21) == 42 and package.runs == 1
    import fazhi_deferme

    assert fazhi_deferme is stand_in and fazhi_deferme.VALUE == 42
    assert fazhi_deferme.double is not double and fazhi_deferme.double(2) == 4
    with pytest.raises(AttributeError):
        fazhi_deferme.missing  # noqa: B018
    assert double(1) == 2 and package.runs == 1


def test_any_attribute_runs_the_module(package: ModuleType) -> None:
    stand_in = _defer()
    assert package.runs == 0
    assert stand_in.VALUE == 42 and package.runs == 1


def test_dir_lists_the_real_modules_names(package: ModuleType) -> None:
    stand_in = _defer()
    assert {"VALUE", "double", "helpers"} <= set(dir(stand_in)) and package.runs == 1


def test_the_modules_own_lazy_attributes_answer_after_it_ran(package: ModuleType) -> None:
    """``from m import name`` of a name only the module's own ``__getattr__`` provides."""
    _defer()
    from fazhi_deferme import LAZY

    assert LAZY == "lazy" and package.runs == 1


def test_a_module_without_lazy_attributes_loses_the_stand_ins_hook(
    package: ModuleType, tmp_path: Path
) -> None:
    (tmp_path / PACKAGE / "__init__.py").write_text(
        INIT.split("def __getattr__")[0], encoding="utf-8"
    )
    stand_in = _defer()
    assert {"__getattr__", "__dir__"} <= set(vars(stand_in))
    assert stand_in.VALUE == 42 and not {"__getattr__", "__dir__"} & set(vars(stand_in))
    with pytest.raises(AttributeError):
        stand_in.missing  # noqa: B018


def test_concurrent_first_uses_run_the_module_once(package: ModuleType) -> None:
    """Do threads that meet the stand-in while its code runs wait for it, and see it whole?"""
    package.__dict__["delay"] = 0.2
    stand_in = _defer(functions=("double",))
    from fazhi_deferme import double

    answers: list[int] = []
    threads = [threading.Thread(target=lambda: answers.append(double(5))) for _ in range(4)]
    threads += [threading.Thread(target=lambda: answers.append(stand_in.VALUE)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [10] * 4 + [42] * 4
    assert package.runs == 1


def test_loaded_or_missing_modules_get_no_stand_in() -> None:
    assert defer(Deferral("json", "test")) is None
    assert defer(Deferral("fazhi_no_such_module", "test")) is None
    assert defer(Deferral("fazhi_no_such_module.child", "test")) is None


def _run(script: str) -> object:
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(proc.stdout.splitlines()[-1])


DEFER = "from fazhi.cli.deferred_imports import defer_imports\ndefer_imports()\n"


def test_grading_imports_run_none_of_the_deferred_modules() -> None:
    """Does importing the grading code leave setuptools, alembic and the others unimported?"""
    loaded = _run(
        DEFER + "import sys, json\nimport fazhi.grading.grade, fazhi.exams.results\n"
        "from jupyter_client.kernelspec import KernelSpecManager\n"
        "KernelSpecManager().kernel_dirs\n"  # imports IPython.paths
        "print(json.dumps(sorted(sys.modules)))"
    )
    assert isinstance(loaded, list)
    assert {d.module for d in DEFERRED} <= set(loaded)  # their stand-ins
    # what the deferred modules' own code imports, and alembic (imported where used)
    never = {"setuptools", "pkg_resources", "lark", "soupsieve.css_parser"}
    never |= {"urllib3", "requests.sessions", "alembic", "IPython.core.interactiveshell"}
    assert not never & set(loaded)


ARCHIVES = """
import io, json, os, sys, tarfile, tempfile, zipfile

root = tempfile.mkdtemp()
files = {"a.txt": "甲", "sub/b.txt": "乙"}
with zipfile.ZipFile(os.path.join(root, "x.zip"), "w") as archive:
    for name, text in files.items():
        archive.writestr(name, text)
with tarfile.open(os.path.join(root, "x.tar.gz"), "w:gz") as archive:
    for name, text in files.items():
        data = text.encode()
        info = tarfile.TarInfo(name)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
with open(os.path.join(root, "x.txt"), "w") as plain:
    plain.write("not an archive")

import nbgrader.utils
from setuptools.archive_util import unpack_archive, unpack_tarfile, unpack_zipfile

before = "setuptools" in sys.modules


def tree(folder):
    return {os.path.relpath(os.path.join(d, f), folder): open(os.path.join(d, f)).read()
            for d, _, fs in os.walk(folder) for f in fs}


def unpack(function, archive, *more):
    dest = tempfile.mkdtemp(dir=root)
    try:
        function(os.path.join(root, archive), dest, *more)
    except Exception as err:
        return type(err).__module__ + "." + type(err).__name__
    return tree(dest)


results = [
    unpack(unpack_zipfile, "x.zip"),
    unpack(unpack_tarfile, "x.tar.gz"),
    unpack(unpack_archive, "x.zip"),
    unpack(unpack_archive, "x.tar.gz"),
    unpack(unpack_archive, "x.txt"),
    unpack(unpack_zipfile, "x.tar.gz"),
    unpack(nbgrader.utils.unzip, "x.zip"),
    unpack(nbgrader.utils.unzip, "x.tar.gz"),
]
module = sys.modules["setuptools.archive_util"]
real = vars(module)["unpack_zipfile"] is not unpack_zipfile
print(json.dumps([before, "setuptools" in sys.modules, real, results]))
"""


def test_archive_functions_unpack_like_setuptools_and_import_it_on_first_call() -> None:
    """nbgrader's zip_collect unpacks through the placeholders: same files, same errors?"""
    deferred = _run(DEFER + ARCHIVES)
    stock = _run(ARCHIVES)
    assert isinstance(deferred, list) and isinstance(stock, list)
    assert deferred[:3] == [False, True, True]  # imported on the first call, not before
    assert stock[:2] == [True, True]
    assert deferred[3] == stock[3]
    zip_tree, tar_tree, *_, not_archive, tar_as_zip, _, _ = stock[3]
    assert zip_tree == tar_tree == {"a.txt": "甲", "sub/b.txt": "乙"}
    assert not_archive == tar_as_zip == "setuptools.archive_util.UnrecognizedFormat"


USES = """
import json, sys
import nbformat, nbconvert, nbgrader.api
import bs4, jsonschema, requests
from jupyter_client.kernelspec import KernelSpecManager
from IPython.paths import get_ipython_dir
from IPython.display import HTML
import IPython

soup = bs4.BeautifulSoup("<p class='a'>甲</p><p>乙</p>", "html.parser")
checker = jsonschema.FormatChecker()
version = requests.__version__  # a submodule too, which the package's __init__ shadows
prepared = requests.Request("GET", "http://例子.中国/路径", params={"q": "法"}).prepare()
print(json.dumps([
    [str(p) for p in soup.select("p.a")],
    [checker.conforms(v, "uri") for v in ("http://example.org/a", "not a uri", "a b")],
    [prepared.url, version, requests.codes.ok],
    [KernelSpecManager().kernel_dirs, get_ipython_dir(), HTML("<b>甲</b>")._repr_html_()],
    [IPython.version_info[0], IPython.get_ipython() is None, "embed_kernel" in dir(IPython)],
]))
"""


def test_deferred_modules_behave_as_imported_when_used() -> None:
    """CSS selectors, URI checks, requests and IPython give the answers they give undeferred."""
    assert _run(DEFER + USES) == _run(USES)


SHADOWED = """
import importlib, json, pkgutil, types
from fazhi.cli.deferred_imports import DEFERRED

shadowed = {}
for deferral in DEFERRED:
    module = importlib.import_module(deferral.module)
    for sub in pkgutil.iter_modules(getattr(module, "__path__", [])):
        value = vars(module).get(sub.name)
        if value is not None and getattr(value, "__name__", "") != f"{module.__name__}.{sub.name}":
            shadowed[f"{module.__name__}.{sub.name}"] = type(value).__name__
print(json.dumps(shadowed))
"""


def test_deferred_packages_shadow_no_submodule_but_dunders() -> None:
    """A stand-in answers a submodule's name with the submodule, without running ``__init__``:
    right only while that ``__init__`` binds no other value to the name (a new version might)."""
    shadowed = _run(SHADOWED)
    assert isinstance(shadowed, dict)
    assert all(name.rpartition(".")[2].startswith("__") for name in shadowed), shadowed
