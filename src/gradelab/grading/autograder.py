"""Gradescope autograders: ``gradelab autograder ASSIGNMENT --out autograder.zip``.

The zip is Gradescope's documented layout (https://gradescope-autograders.readthedocs.io):

* ``setup.sh``: installs gradelab from the wheel inside the zip (``wheels/``), with the ``pip`` and ``python3``
  it finds on PATH, so nothing depends on a package index having gradelab (its dependencies, NumPy and the
  rest, come from the index as usual);
* ``run_autograder``: grades every notebook or ``.py`` file in ``$AUTOGRADER_ROOT/submission`` (default
  ``/autograder``) with the hidden cases and writes ``$AUTOGRADER_ROOT/results/results.json``;
* ``autograder.json``: which assignment, the hidden tests' visibility, and the declaration's path for an
  instructor's own assignment (``--assignment-path``), whose declaration is copied into ``assignment/``.

The wheel is made here from the installed package's files (a wheel is a zip with a ``.dist-info``): no build
backend, no network, well under a second; ``--wheel`` takes one built otherwise. Results follow
:func:`.report.to_gradescope`: public cases visible, hidden cases ``after_published`` by default, and no text a
student can see holds a hidden case's inputs or expected values.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.metadata
import io
import json
import shutil
import sys
import time
import zipfile
from pathlib import Path

from .. import __version__
from .report import VISIBILITIES, to_gradescope
from .spec import Assignment

CONFIG = "autograder.json"
#: Folders of a submission that are not the student's work: a bundle uploaded whole brings its checker along.
NOT_SUBMITTED = frozenset({"tests", "gradelab", ".ipynb_checkpoints", "__pycache__", "__MACOSX"})

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, in the image, from the autograder's source folder: install gradelab from the wheel here.
set -euo pipefail
cd "$(dirname "$0")"
if command -v pip3 >/dev/null 2>&1; then PIP=(pip3); elif command -v pip >/dev/null 2>&1; then PIP=(pip); else PIP=(python3 -m pip); fi
# A system Python that refuses pip (PEP 668, newer images) is asked again with the flag that newer pips know.
"${PIP[@]}" install --disable-pip-version-check wheels/*.whl \
  || "${PIP[@]}" install --disable-pip-version-check --break-system-packages wheels/*.whl
python3 -c "import gradelab; print('gradelab', gradelab.__version__, 'installed')"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission: grade $AUTOGRADER_ROOT/submission into $AUTOGRADER_ROOT/results/results.json.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
exec python3 -m gradelab.grading.autograder --root "$ROOT"
"""


# --- building (the instructor's machine) ------------------------------------------------------------------

def build_autograder(assignment: Assignment, out: str | Path, assignment_path: str | Path | None = None,
                     hidden_visibility: str = "after_published", wheel: str | Path | None = None) -> Path:
    """Write ``out`` (a zip): setup.sh, run_autograder, autograder.json, the wheel, and an own assignment's declaration."""
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"--hidden-visibility must be one of {', '.join(VISIBILITIES)}, not {hidden_visibility!r}")
    wheel_name, wheel_bytes = (Path(wheel).name, Path(wheel).read_bytes()) if wheel else package_wheel()
    config = {"assignment": assignment.name, "hidden_visibility": hidden_visibility, "assignment_path": None}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "setup.sh", SETUP_SH.encode(), executable=True)
        _add(archive, "run_autograder", RUN_AUTOGRADER.encode(), executable=True)
        _add(archive, f"wheels/{wheel_name}", wheel_bytes)
        if assignment_path is not None:
            config["assignment_path"] = _add_declaration(archive, Path(assignment_path))
        _add(archive, CONFIG, (json.dumps(config, indent=2) + "\n").encode())
    partial.replace(out)  # a failed build leaves no zip that looks finished
    return out


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o755 if executable else 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _add_declaration(archive: zipfile.ZipFile, path: Path) -> str:
    """Copy an own assignment's declaration (a file, or its folder) into ``assignment/``; its path there, for loading."""
    if not path.exists():
        raise FileNotFoundError(f"--assignment-path {path} does not exist")
    if path.is_file():
        _add(archive, f"assignment/{path.name}", path.read_bytes())
        return f"assignment/{path.name}"
    for file in sorted(path.rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts:
            _add(archive, f"assignment/{path.name}/{file.relative_to(path).as_posix()}", file.read_bytes())
    return f"assignment/{path.name}"


def package_wheel() -> tuple[str, bytes]:
    """A wheel of the installed gradelab: its package files and a .dist-info with the declared dependencies."""
    package = Path(__file__).resolve().parent.parent
    dist_info = f"gradelab-{__version__}.dist-info"
    files: dict[str, bytes] = {}
    for file in sorted(package.rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts and file.suffix not in (".pyc", ".pyo"):
            files[f"gradelab/{file.relative_to(package).as_posix()}"] = file.read_bytes()
    files[f"{dist_info}/METADATA"] = _metadata().encode()
    files[f"{dist_info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: gradelab\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{dist_info}/entry_points.txt"] = b"[console_scripts]\ngradelab = gradelab.cli:main\n"
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in files.items()]
    files[f"{dist_info}/RECORD"] = ("\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files.items():
            _add(wheel, name, data)
    return f"gradelab-{__version__}-py3-none-any.whl", buffer.getvalue()


def _metadata() -> str:
    try:
        requires = importlib.metadata.requires("gradelab") or []
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        requires = ["numpy>=1.24", "scikit-learn>=1.3", "matplotlib>=3.7", "nbformat>=5.9", "rich>=13"]
    lines = ["Metadata-Version: 2.1", "Name: gradelab", f"Version: {__version__}", "Requires-Python: >=3.10"]
    return "\n".join(lines + [f"Requires-Dist: {requirement}" for requirement in requires]) + "\n"


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


# --- running (Gradescope's machine) --------------------------------------------------------------------------

def submissions(folder: Path) -> list[Path]:
    """The notebooks and .py files a student submitted, outside a bundle's own tests/ and course material."""
    found = [path for path in sorted(folder.rglob("*")) if path.is_file() and path.suffix in (".ipynb", ".py")
             and not NOT_SUBMITTED.intersection(path.relative_to(folder).parts[:-1])]
    return found


def run(root: str | Path) -> Path:
    """Grade ``root/submission`` as ``root/source/autograder.json`` says; write and return ``root/results/results.json``.

    Several files: each is graded, and the best-scoring one counts (the output names every file and its score).
    """
    from ..assignments import load
    from .engine import grade

    root = Path(root)
    started = time.monotonic()
    config = json.loads((root / "source" / CONFIG).read_text(encoding="utf-8"))
    path = config.get("assignment_path")
    assignment = load(config["assignment"], str(root / "source" / path) if path else None)
    files = submissions(root / "submission")
    if not files:
        results = {"score": 0.0, "execution_time": 0.0, "visibility": "visible", "tests": [],
                   "output": "No .ipynb notebook or .py file was found in the submission: upload your notebook."}
    else:
        reports = [grade(assignment, file, hidden=True) for file in files]
        best = max(reports, key=lambda report: report.score)
        results = to_gradescope(best, show_hidden=False, hidden_visibility=config.get("hidden_visibility", "after_published"))
        if len(reports) > 1:
            scores = ", ".join(f"{Path(report.submission).name} {to_gradescope(report)['score']:g}" for report in reports)
            results["output"] += f"\nGraded {len(reports)} files ({scores}); the best counts: {Path(best.submission).name}."
        results["execution_time"] = round(time.monotonic() - started, 3)
    target = root / "results" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name("results.json.partial")
    partial.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    partial.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Grade a Gradescope submission (what run_autograder calls).")
    parser.add_argument("--root", default="/autograder", help="the autograder's root (default /autograder)")
    args = parser.parse_args(argv)
    print(f"wrote {run(args.root)}")
    return 0


def unpack(zip_path: str | Path, root: str | Path) -> Path:
    """Lay ``zip_path`` out as Gradescope does under ``root``: source/ holds the zip, run_autograder beside it."""
    root = Path(root)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
        for info in archive.infolist():
            if info.external_attr >> 16 & 0o111:
                (root / "source" / info.filename).chmod(0o755)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir(exist_ok=True)
    return root


if __name__ == "__main__":
    sys.exit(main())
