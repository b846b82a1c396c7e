"""The shipped assignments, each a declaration on the grading engine, found by name."""

from __future__ import annotations

import importlib

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

    ``assignment_path`` (an instructor's own assignment declared outside the package) is not supported yet.
    """
    if assignment_path is not None:
        raise ValueError("--assignment-path is not supported yet")
    if name not in ASSIGNMENTS:
        raise ValueError(f"unknown assignment {name!r}; known assignments: {', '.join(available())}")
    return importlib.import_module(ASSIGNMENTS[name]).ASSIGNMENT
