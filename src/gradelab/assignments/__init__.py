"""The shipped assignments, each a declaration on the grading engine, found by name."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

from ..grading.spec import Assignment

ASSIGNMENTS = {
    "initialization": "gradelab.assignments.initialization",
    "deep_network": "gradelab.assignments.deep_network",
    "convolution": "gradelab.assignments.convolution",
    "keras_intro": "gradelab.assignments.keras_intro",
}


def available() -> list[str]:
    """Names of the shipped assignments that are installed (importable)."""
    names = []
    for name, module in ASSIGNMENTS.items():
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
            continue
        names.append(name)
    return names


def load(name: str, assignment_path: str | None = None) -> Assignment:
    """The assignment called ``name``, or a ValueError listing the known names.

    ``assignment_path``: an instructor's own assignment outside the package, a .py file or a folder with an
    ``__init__.py``, declaring ``ASSIGNMENT``. Its reference and hidden cases stay on the grading machine:
    the worker's guard refuses to open anything in that folder.
    """
    if assignment_path is not None:
        assignment = load_path(assignment_path)
        if name != assignment.name:
            raise ValueError(f"--assignment-path {assignment_path} declares the assignment {assignment.name!r}, not {name!r}")
        return assignment
    if name not in ASSIGNMENTS:
        raise ValueError(f"unknown assignment {name!r}; known assignments: {', '.join(available())}")
    return importlib.import_module(ASSIGNMENTS[name]).ASSIGNMENT


def load_path(assignment_path: str | Path) -> Assignment:
    """Import an assignment declared in a file or package folder outside gradelab."""
    path = Path(assignment_path).resolve()
    init = path / "__init__.py" if path.is_dir() else path
    if not init.is_file() or init.suffix != ".py":
        raise ValueError(f"--assignment-path {assignment_path}: expected a .py file or a folder with __init__.py")
    module_name = f"gradelab_instructor_{path.stem}"
    locations = [str(path)] if path.is_dir() else None
    spec = importlib.util.spec_from_file_location(module_name, init, submodule_search_locations=locations)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # relative imports inside the folder need it registered
    spec.loader.exec_module(module)
    assignment = getattr(module, "ASSIGNMENT", None)
    if not isinstance(assignment, Assignment):
        raise ValueError(f"--assignment-path {assignment_path}: it declares no ASSIGNMENT")
    assignment.extras.setdefault("module", module_name)
    assignment.extras.setdefault("path", str(path))  # other processes load it from here: they cannot import module_name
    protected = list(assignment.extras.get("protected", ()))
    assignment.extras["protected"] = [*protected, str(path if path.is_dir() else path.parent)]
    return assignment


@dataclass(frozen=True)
class Location:
    """Where an assignment is declared: enough for another process (a batch's pool, a Dask worker) to load it again.

    ``module``: the module declaring ``ASSIGNMENT``, importable by name unless ``path`` is given;
    ``path``: the file or folder an instructor's ``--assignment-path`` assignment was loaded from
    (its module exists only in the process that loaded it).
    """

    module: str
    path: str | None = None


def locate(assignment: Assignment) -> Location:
    """Where ``assignment`` is declared; a shipped one (or one without a recorded module) by the package's convention."""
    default = ASSIGNMENTS.get(assignment.name, f"gradelab.assignments.{assignment.name}")
    return Location(assignment.extras.get("module", default), assignment.extras.get("path"))


def load_location(location: Location) -> Assignment:
    """The assignment declared at ``location``, loaded again (in this process, whichever loaded it first)."""
    if location.path is not None:
        return load_path(location.path)
    return importlib.import_module(location.module).ASSIGNMENT
