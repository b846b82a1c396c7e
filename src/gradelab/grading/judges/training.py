"""What a training function's return must look like: (parameters, costs), parameters of the right shapes, falling costs.

Shared by the grader's trained-model judge (assignments/deep_network/judges.py) and the student's bundle
checker, which vendors this file (checker/__init__.py): NumPy and Finding only.
"""

from __future__ import annotations

import numpy as np

from ..outcome import Finding


def layer_key(key: object) -> str:
    """'dW2' -> 'dW[2]', 'b1' -> 'b[1]': the course's names for layer-indexed keys."""
    text = str(key)
    head = text.rstrip("0123456789")
    return f"{head}[{text[len(head):]}]" if head != text else text


def structure_findings(expected_parameters: dict, got: object) -> list[Finding]:
    """The returned (parameters, costs): a dict with the reference's keys and shapes, and at least two costs."""
    if not (isinstance(got, tuple | list) and len(got) == 2):
        return [Finding("fail", "expected the returned (parameters, costs), a tuple of 2 items")]
    parameters, costs = got
    if not isinstance(parameters, dict):
        return [Finding("fail", f"parameters: expected a dict with keys {sorted(expected_parameters)}")]
    findings = []
    for key, value in expected_parameters.items():
        if np.shape(parameters.get(key)) != value.shape or not isinstance(parameters.get(key), np.ndarray):
            findings.append(Finding("fail", f"parameters['{key}'] = {layer_key(key)}: expected an array of shape {value.shape}"))
    if not isinstance(costs, list | tuple | np.ndarray) or len(costs) < 2:
        findings.append(Finding("fail", "costs: expected the cost recorded every 100 iterations (at least 2 values)"))
    return findings


def costs_findings(costs: object) -> list[Finding]:
    """Finite costs that fell from the first recorded to the last; TypeError or ValueError if they are not numbers."""
    values = np.asarray([np.squeeze(np.asarray(c, dtype=float)) for c in costs], dtype=float)
    if not np.all(np.isfinite(values)):
        return [Finding("fail", "costs: some recorded costs are NaN or inf")]
    if values[-1] >= values[0]:
        return [Finding("fail", f"costs: the cost did not decrease ({values[0]:.4g} at first, {values[-1]:.4g} at the end)")]
    return []


def returned_findings(expected_parameters: dict, got: object) -> tuple[list[Finding], bool]:
    """Structure, then falling costs; and whether the parameters can go on to be judged by held-out accuracy."""
    findings = structure_findings(expected_parameters, got)
    if findings:
        return findings, False
    try:
        return costs_findings(got[1]), True
    except (TypeError, ValueError):
        return [Finding("fail", "costs: expected a list of numbers")], False


def accuracy_finding(accuracy: float, reference: float, required: float, task: str, test_count: int) -> Finding:
    """Held-out accuracy against what is required: fails below it, information above."""
    summary = (f"held-out accuracy on {task} ({test_count} test images): {accuracy:.3f}; required {required}, "
               f"the reference reaches {reference:.3f}")
    return Finding("fail" if accuracy < required else "info", summary, "accuracy")
