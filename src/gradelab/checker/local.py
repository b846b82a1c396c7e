"""Local checks of a student's bundle: the public cases, graded in the student's own Python with NumPy only.

This module is not imported by the grader. ``gradelab assign`` writes it into the bundle as
``tests/checker.py``, after the comparison rule (grading/trees.py), its messages (grading/checks.py) and the
judges that need only the student's function (grading/judges: values, seeded draws, finite differences),
each copied verbatim with its imports of gradelab removed (gradelab/checker/__init__.py), so a local check
and the instructor's grading compare and word their findings with the same code. What the judges need
besides the student's function is in ``tests/checks.npz``, recorded on the instructor's machine
(grading/recorded.py): each public case's inputs and expected output, the known mistakes' outputs and hints,
the reference's answers to the graded calls an exercise makes on those inputs, numerical gradients, and a
model case's held-out set.

Fairness, as the grader's engine applies it: every case gets its own recorded inputs (deep copies); NumPy's
global random state is seeded before each call (the grader's seed) and the caller's state is put back after;
graded functions that an exercise calls are answered from the recording where the inputs were recorded,
by the student's own function where not.

In a notebook::

    from tests import check
    check("TestHeInitialization")      # the functions defined in the running kernel; nothing to save

From a shell, on the saved notebook: ``python tests/test_NAME.py [--test_case ID]`` (exit 0 when every
selected exercise passes its public cases, 1 otherwise).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import hashlib
import importlib
import io
import json
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..grading.judges.base import ACCEPTANCE, CaseContext, Judge, fails, from_data
from ..grading.judges.gradients import _KEPT, WITNESSES, Gradients, Witness
from ..grading.judges.training import accuracy_finding, returned_findings
from ..grading.judges.values import Values
from ..grading.outcome import Finding
from ..grading.protocol.trees import same_tree
from ..grading.protocol.wire import Opaque
from ..grading.rule import _assigned_names, _bound_names, _is_definition, _note_imports, _uses_unrun

CHECKS_FORMAT, CHECKS_VERSION = "gradelab student checks", 1
MARKS = {"fail": "✗", "warn": "!", "info": "i"}


# --- the recording: a JSON tree with arrays beside it, in one .npz (np.load never unpickles here) -----------

@dataclass(frozen=True)
class RecordedRef:
    """A function of a course module named in a case's inputs (an activation ``g``), found by import when used."""

    module: str
    name: str

    def resolve(self) -> Callable[..., Any]:
        return getattr(importlib.import_module(self.module), self.name)


def encode_checks(tree: Any, root: str = "the recording") -> bytes:
    """``tree`` (dicts, lists, tuples, arrays, numbers, strings, None, refs) as .npz bytes; TypeError if not plain data."""
    arrays: dict[str, np.ndarray] = {}

    def encode(value: Any, where: str) -> Any:
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in "biufc":
                raise TypeError(f"{where} is an array of {value.dtype}, which cannot be recorded as data")
            arrays[f"a{len(arrays)}"] = np.asarray(value)
            return {"$a": f"a{len(arrays) - 1}"}
        if isinstance(value, np.generic):
            return {"$n": value.dtype.str, "v": encode(value.item(), where)}
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, tuple):
            return {"$t": [encode(item, f"{where}[{i}]") for i, item in enumerate(value)]}
        if isinstance(value, list):
            return [encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
        if isinstance(value, dict):
            return {"$d": [[encode(key, where), encode(item, f"{where}[{key!r}]")] for key, item in value.items()]}
        if type(value).__name__ in ("Ref", "RecordedRef") and hasattr(value, "module"):
            return {"$r": [value.module, value.name]}
        raise TypeError(f"{where} is a {type(value).__name__}, which cannot be recorded as data: use arrays, numbers, "
                        "strings, lists, tuples and dicts, or wire.Ref for a student-module function")

    header = json.dumps(encode(tree, root)).encode("utf-8")
    buffer = io.BytesIO()
    np.savez_compressed(buffer, __tree__=np.frombuffer(header, dtype=np.uint8), **arrays)
    return buffer.getvalue()


def decode_checks(raw: bytes) -> Any:
    with np.load(io.BytesIO(raw), allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    return _decode(json.loads(arrays.pop("__tree__").tobytes().decode("utf-8")), arrays)


def _decode(node: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(node, list):
        return [_decode(item, arrays) for item in node]
    if not isinstance(node, dict):
        return node
    if "$a" in node:
        return arrays[node["$a"]].copy()
    if "$n" in node:
        return np.dtype(node["$n"]).type(node["v"])
    if "$t" in node:
        return tuple(_decode(item, arrays) for item in node["$t"])
    if "$r" in node:
        return RecordedRef(*node["$r"])
    return {_decode(key, arrays): _decode(value, arrays) for key, value in node["$d"]}


def resolve(tree: Any) -> Any:
    """``tree`` with each recorded function reference replaced by the function (imported from the course module)."""
    if isinstance(tree, RecordedRef):
        return tree.resolve()
    if isinstance(tree, list):
        return [resolve(item) for item in tree]
    if isinstance(tree, tuple):
        return tuple(resolve(item) for item in tree)
    if isinstance(tree, dict):
        return {key: resolve(value) for key, value in tree.items()}
    return tree


def fingerprint(tree: Any) -> str:
    """A key for looking up recorded calls by their inputs; a match is then confirmed with ``same_tree``."""
    digest = hashlib.sha1()

    def feed(part: Any) -> None:
        if isinstance(part, np.ndarray):
            digest.update(f"a{part.shape}{part.dtype.kind in 'iub'}".encode())
            if part.dtype.kind in "biuf":
                digest.update(np.ascontiguousarray(part, dtype=float).tobytes())
        elif isinstance(part, bool | np.bool_):
            digest.update(b"T" if part else b"F")
        elif isinstance(part, int | float | np.integer | np.floating):
            digest.update(repr(float(part)).encode())
        elif isinstance(part, dict):
            digest.update(b"{")
            for key in sorted(part, key=repr):
                feed(key)
                feed(part[key])
        elif isinstance(part, list | tuple):
            digest.update(f"[{len(part)}".encode())
            for item in part:
                feed(item)
        elif callable(part):
            digest.update(f"f{getattr(part, '__module__', '')}.{getattr(part, '__qualname__', '')}".encode())
        else:
            digest.update(repr(part).encode())

    feed(tree)
    return digest.hexdigest()


# --- judges that need data from the recording --------------------------------------------------------------

def _predict(X: np.ndarray, parameters: dict) -> np.ndarray:
    """The course's predict: ReLU layers, a sigmoid output, 1 where it exceeds 0.5 (the held-out accuracy's rule)."""
    layers = len(parameters) // 2
    A = np.asarray(X, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        for l in range(1, layers + 1):
            Z = np.asarray(parameters[f"W{l}"], dtype=float) @ A + np.asarray(parameters[f"b{l}"], dtype=float)
            A = np.maximum(0, Z) if l < layers else 1 / (1 + np.exp(-Z))
    return (A > 0.5).astype(int)


@dataclass(frozen=True)
class TrainedModelLocally(Judge):
    """deep_network.trained_model on a public case: structure, falling costs, held-out accuracy from the recording."""

    name: ClassVar[str] = "deep_network.trained_model"

    def judge(self, context: CaseContext, expected: Any, got: Any, probe: Any = None) -> list[Finding]:
        findings, trained = returned_findings(expected[0], got)
        if not trained:
            return findings
        task = context.data["model"]
        test_Y = task["test_Y"]
        accuracy = float(np.mean(_predict(task["test_X"], got[0]) == test_Y))
        return findings + [accuracy_finding(accuracy, task["reference_accuracy"], task["required_accuracy"],
                                            f"digit {task['negative']} vs {task['positive']}", test_Y.shape[1])]


# --- one exercise on the functions of a namespace ---------------------------------------------------------

@dataclass(frozen=True)
class LocalCase:
    """What a judge reads of a case (CaseContext.case): its name, recorded data, and that it is public."""

    name: str
    data: Mapping[str, Any] = field(default_factory=dict)
    hidden: bool = False


@dataclass
class CaseResult:
    name: str
    passed: bool
    findings: list[Finding]
    value: Any = None
    returned: bool = False


@dataclass
class ExerciseResult:
    id: str
    function: str
    signature: str
    points: float
    status: str = "failed"  # "passed", "failed" or "missing"
    score: float = 0.0
    cases: list[CaseResult] = field(default_factory=list)
    mistake: dict | None = None
    notes: list[Finding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def summary(self) -> str:
        """The last line of a check: ``<id>: passed`` or ``<id>: failed (why)``."""
        if self.passed:
            return f"{self.id}: passed"
        if self.status == "missing":
            return f"{self.id}: failed ({self.function} is not defined)"
        failed = sum(not case.passed for case in self.cases)
        why = f"{failed} of {len(self.cases)} public case{'s' if len(self.cases) != 1 else ''} failed"
        return f"{self.id}: failed ({why}" + (f"; known mistake: {self.mistake['name']})" if self.mistake else ")")


def plain(value: Any) -> Any:
    """The student's output as the grader receives it: plain data, other objects as Opaque markers."""
    if isinstance(value, np.ndarray):
        return Opaque("numpy object array") if value.dtype.kind not in "biufcU" else value
    if value is None or isinstance(value, bool | int | float | complex | str | np.generic):
        return value
    if isinstance(value, tuple):
        return tuple(plain(item) for item in value)
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return Opaque(type(value).__name__, repr(value)[:80])


class Caller:
    """Calls the student's function as the grader's worker does, on deep copies, with graded calls answered."""

    def __init__(self, exercise: dict, namespace: dict, global_seed: int) -> None:
        self.exercise, self.namespace, self.seed = exercise, namespace, global_seed
        self.recorded = {}
        for name, calls in exercise["stand_ins"].items():
            table: dict[str, list] = {}
            for args, kwargs, output in calls:
                args, kwargs = resolve(args), resolve(kwargs)
                table.setdefault(fingerprint([args, kwargs]), []).append((args, kwargs, output))
            self.recorded[name] = table
        adapter = exercise["adapter"]
        self.adapter = RecordedRef(*adapter).resolve() if adapter else None

    def call(self, args: list, kwargs: dict, times: int = 1) -> dict:
        """{"value" | "error", "stdout", "rng_used", "mutated"} for one call with the global random state fixed.

        ``times=2``: two calls in a row, NumPy seeded once before them; the value is the list of both outputs."""
        function = self.namespace[self.exercise["function"]]
        args, kwargs = copy.deepcopy(resolve(list(args))), copy.deepcopy(resolve(dict(kwargs)))
        before = copy.deepcopy((args, kwargs))
        saved_state, out = np.random.get_state(), io.StringIO()
        replaced = self._install_stand_ins()
        np.random.seed(self.seed)
        fixed = np.random.get_state()
        reply: dict[str, Any] = {}
        try:
            with contextlib.redirect_stdout(out):
                values = []
                for _ in range(times):
                    value = function(*args, **kwargs)
                    values.append(value if self.adapter is None else self.adapter(value))
            reply["value"] = plain(values[0] if times == 1 else values)
        except Exception as error:  # noqa: BLE001 - the student's function may raise anything: a finding, not a crash
            reply["error"], reply["error_type"] = _error_text(error), type(error).__name__
            reply["error_message"] = str(error)
        finally:
            for name, own in replaced.items():  # as it was, a function not yet written included
                if own is None:
                    self.namespace.pop(name, None)
                else:
                    self.namespace[name] = own
            reply["rng_used"] = not _same_state(fixed, np.random.get_state())
            np.random.set_state(saved_state)
        reply["stdout"] = out.getvalue()
        reply["mutated"] = [str(i) for i, (old, new) in enumerate(zip(before[0], args)) if not same_tree(old, new)]
        reply["mutated"] += [key for key in before[1] if not same_tree(before[1][key], kwargs[key])]
        return reply

    def _install_stand_ins(self) -> dict:
        replaced = {}
        for name, table in self.recorded.items():
            own = self.namespace.get(name)
            replaced[name] = own
            self.namespace[name] = _stand_in(name, own, table)
        return replaced


def _stand_in(name: str, own: Callable[..., Any] | None, table: dict[str, list]) -> Callable[..., Any]:
    def stand_in(*args: Any, **kwargs: Any) -> Any:
        for recorded_args, recorded_kwargs, output in table.get(fingerprint([list(args), kwargs]), ()):
            if same_tree([recorded_args, recorded_kwargs], [list(args), kwargs]):
                return copy.deepcopy(output)  # the reference's answer, as the grader gives it
        if own is None:
            raise NameError(f"name {name!r} is not defined (this check answers {name} only on the inputs it recorded; "
                            f"define {name} to check with other inputs)")
        return own(*args, **kwargs)  # inputs the recording does not have: your own function answers

    stand_in.__name__ = name
    return stand_in


def _same_state(a: tuple, b: tuple) -> bool:
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and a[2:] == b[2:]


def _error_text(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)[1:]  # the checker's own frame first: not the student's
    where = "".join(traceback.format_list(frames[-3:])).rstrip()
    return f"{type(error).__name__}: {error}" + (f"\n{where}" if where else "")


class LocalProbe:
    """Lets a judge call the student's function again (seeded draws, contracts), as the grader's probe does."""

    def __init__(self, caller: Caller) -> None:
        self.caller = caller

    def call(self, *args: Any, **kwargs: Any) -> Any:
        reply = self.caller.call(list(args), kwargs)
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply["value"]

    def twice(self, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        """Two calls in a row with NumPy seeded once before them, as the grader's worker makes them."""
        reply = self.caller.call(list(args), kwargs, times=2)
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply["value"][0], reply["value"][1]


#: Judges of an assignment's own that run here on recorded data, by the name the grader registers them under.
LOCAL_JUDGES: dict[str, type[Judge]] = {"deep_network.trained_model": TrainedModelLocally}


def _judges(exercise: dict) -> tuple[list[Judge], list[str]]:
    judges, notes = [], []
    for data in exercise["judges"]:
        try:
            local = LOCAL_JUDGES.get(data.get("name"))
            judges.append(local.from_config(data.get("config") or {}) if local else from_data(data))
        except (ValueError, TypeError):
            notes.append(f"the judge {data.get('name')!r} runs only in the instructor's grading")
    return judges, notes


def check_exercise(exercise: dict, namespace: dict, global_seed: int) -> ExerciseResult:
    """Every public case of ``exercise`` on ``namespace``'s function, then the second verdict and known mistakes."""
    result = ExerciseResult(exercise["id"], exercise["function"], exercise["signature"], exercise["points"])
    if not callable(namespace.get(exercise["function"])):
        result.status = "missing"
        result.notes.append(Finding("fail", f"{exercise['function']}{exercise['signature']} is not defined", "missing"))
        return result
    judges, judge_notes = _judges(exercise)
    caller, namer = Caller(exercise, namespace, global_seed), _namer(exercise)
    for case in exercise["cases"]:
        result.cases.append(_check_case(exercise, case, caller, judges, namer))
    _decide(result, exercise, judges, caller, namer)
    # What the local check does otherwise than the grader matters only where it failed; the hidden cases, always.
    notes = [*judge_notes, *exercise["notes"]] if not result.passed else []
    result.notes.extend(Finding("info", text) for text in [*notes, *exercise["hidden_note"]])
    return result


def _check_case(exercise: dict, case: dict, caller: Caller, judges: list[Judge], namer: Callable) -> CaseResult:
    reply = caller.call(case["args"], case["kwargs"])
    notes = _call_notes(exercise, reply)
    if "error" in reply:
        return CaseResult(case["name"], False, [_raised(exercise["function"], reply), *notes])
    local = LocalCase(case["name"], case["data"])
    mutated = tuple(_argument_name(exercise["signature"], position) for position in reply["mutated"])
    context = CaseContext(exercise["id"], exercise["function"], local, resolve(case["args"]), resolve(case["kwargs"]), namer,
                          mutated)
    values, others = [], []
    try:
        for judge in judges:
            if judge.role == ACCEPTANCE:
                continue
            _prepare(judge, case)
            found = judge.judge(context, copy.deepcopy(case["expected"]), reply["value"], LocalProbe(caller))
            (values if isinstance(judge, Values) else others).extend(found)
    except RuntimeError as failure:  # a contract's second call failed: the student's, like the first
        values, others = [], [Finding("fail", f"{exercise['function']} failed when called again: {failure}", "raised")]
    findings = values + notes + others
    return CaseResult(case["name"], not fails(findings), findings, reply["value"], returned=True)


#: As the grader words errors whose cause is known whatever the exercise (grading/engine.py ERROR_HINTS).
ERROR_HINTS = [
    ("only 0-dimensional arrays can be converted to Python scalars", "float() needs a single number, and NumPy 2 refuses "
     "float() of an array with dimensions, such as b of shape (1, 1, 1): write float(np.squeeze(b)) or b.item()"),
    ("object is not subscriptable", "a function returned None: did it reach its return statement?"),
]


def _raised(function: str, reply: dict) -> Finding:
    """The error as the grader words it; a name that is not defined says where names must be defined."""
    message = f"{function} raised {reply['error']}"
    if reply["error_type"] == "NameError" and "is not defined" in reply["error_message"]:
        name = reply["error_message"].split("'")[1] if "'" in reply["error_message"] else "a name"
        return Finding("fail", f"{message}\n{name} is not defined where {function} runs: define it (or import it) at the top "
                               "level of a code cell, not inside another function or an experiment", "name_error")
    hint = next((hint for pattern, hint in ERROR_HINTS if pattern in reply["error"]), "")
    return Finding("fail", f"{message}\nHint: {hint}" if hint else message, "raised")


#: Finding codes of values that differ where shapes, keys and types are right: only then may a second verdict accept.
FORGIVABLE = frozenset({"values", "number", "entries"})


def _differs_in_values_only(case: CaseResult) -> bool:
    failures = [finding for finding in case.findings if finding.kind == "fail"]
    return case.returned and bool(failures) and all(finding.code in FORGIVABLE for finding in failures)


def _prepare(judge: Judge, case: dict) -> None:
    """Finite differences read this case's recorded numerical gradients through the witness registry."""
    recorded = case["data"].get("gradients")
    if getattr(judge, "name", "") == "finite_differences" and recorded is not None:
        gradients = Gradients(recorded["numeric"], recorded["of"], recorded["labels"])
        returns = tuple(recorded["returns"]) if recorded["returns"] is not None else None
        WITNESSES[judge.witness] = Witness(lambda args, kwargs: gradients, returns)
        _KEPT.clear()


def _call_notes(exercise: dict, reply: dict) -> list[Finding]:
    function, notes = exercise["function"], []
    if reply["rng_used"] and not exercise["uses_randomness"]:
        notes.append(Finding("info", f"{function} drew from NumPy's global random generator, which it does not need; "
                                     "this does not change your grade here, but in a notebook it shifts every random "
                                     "number drawn after it", "global_rng"))
    kept = {name for data in exercise["judges"] if data.get("name") == "inputs_kept"
            for name in (data.get("config") or {}).get("arguments", ())}
    warned = [position for position in reply["mutated"] if _argument_name(exercise["signature"], position) not in kept]
    if warned:  # arguments the template promises to keep fail the case instead (the inputs_kept judge)
        names = ", ".join(_argument_name(exercise["signature"], position) for position in warned)
        notes.append(Finding("warn", f"{function} changed its input {names} in place; the grader passed a copy, "
                                     "but a caller's array would be modified", "mutated"))
    if reply["stdout"].strip():
        notes.append(Finding("info", f"{function} printed: {reply['stdout'].strip()[:300]}", "printed"))
    return notes


def _argument_name(signature: str, position: str) -> str:
    names = [part.strip().split("=")[0].strip() for part in signature.strip("()").split(",") if part.strip()]
    return names[int(position)] if position.isdigit() and int(position) < len(names) else position


def _decide(result: ExerciseResult, exercise: dict, judges: list[Judge], caller: Caller, namer: Callable) -> None:
    passed = sum(case.passed for case in result.cases)
    if passed == len(result.cases):
        result.status, result.score = "passed", float(exercise["points"])
        return
    failing = [case for case in result.cases if not case.passed]
    failed = failing[0] if failing and all(_differs_in_values_only(case) for case in failing) else None
    if failed is not None:
        for judge in (judge for judge in judges if judge.role == ACCEPTANCE):
            case = next(case for case in exercise["cases"] if case["name"] == failed.name)
            context = CaseContext(exercise["id"], exercise["function"], LocalCase(case["name"], case["data"]),
                                  resolve(case["args"]), resolve(case["kwargs"]), namer)
            try:
                findings = list(judge.judge(context, None, failed.value, LocalProbe(caller)))
            except Exception as error:  # noqa: BLE001 - the student's function failed on the judge's call
                findings = [Finding("fail", f"{exercise['function']} failed while being checked in distribution: {error}", "raised")]
            result.notes.extend(findings)
            if not fails(findings):
                result.status, result.score = "passed", float(exercise["points"])
                return
    result.status, result.score = "failed", round(exercise["points"] * passed / len(result.cases), 2)
    # A name that is not defined is not a wrong method: matching the cases that ran to a mistake would accuse falsely.
    if not any(finding.code == "name_error" for case in result.cases for finding in case.findings):
        result.mistake = _match_mistake(exercise, result.cases, namer)


def _match_mistake(exercise: dict, cases: list[CaseResult], namer: Callable) -> dict | None:
    rule = Values(**exercise["value_rule"])
    returned = [(index, case) for index, case in enumerate(cases) if case.returned]
    if not returned:
        return None
    for mistake in exercise["mistakes"]:
        outputs = mistake["outputs"]
        if all(outputs[index]["ran"] and not fails(rule.compare(outputs[index]["value"], case.value, namer))
               for index, case in returned):
            return mistake
    return None


def _namer(exercise: dict) -> Callable[[tuple], str]:
    """The course's names of positions in the output, recorded for every position of the public expected outputs."""
    names = {tuple(path): name for path, name in exercise["names"]}
    root = exercise["output_name"]

    def name(path: tuple) -> str:
        return names.get(tuple(path)) or root + "".join(f"[{key!r}]" for key in path)

    return name


# --- reading a recording, a notebook, and printing ---------------------------------------------------------

_RECORDINGS: dict[tuple[str, int], dict] = {}


def load_checks(path: str | Path) -> dict:
    """The recording at ``path``, read once per process and again when the file changes (a bundle written anew)."""
    path = Path(path).resolve()
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _RECORDINGS:
        data = decode_checks(path.read_bytes())
        if not isinstance(data, dict) or data.get("format") != CHECKS_FORMAT or data.get("version") != CHECKS_VERSION:
            raise ValueError(f"{path} is not a recording of public checks this checker reads (ask for the bundle again)")
        _RECORDINGS[key] = data
    return _RECORDINGS[key]


def find_exercise(checks: dict, name: str) -> dict:
    for exercise in checks["exercises"]:
        if name in (exercise["id"], exercise["function"]):
            return exercise
    known = ", ".join(exercise["id"] for exercise in checks["exercises"])
    raise ValueError(f"{checks['name']} has no exercise {name!r}; its exercises are: {known}")


def render(result: ExerciseResult) -> str:
    label = {"passed": "PASS", "failed": "FAIL", "missing": "MISSING"}[result.status]
    lines = [f"{label:8}{result.id}  {result.function}{result.signature}  {result.score:g}/{result.points:g}"]
    for case in result.cases:
        if case.passed:
            continue
        lines.append(f"    ✗ case {case.name}")
        lines.extend(_finding_lines(finding, 6) for finding in case.findings)
    if result.mistake is not None:
        lines += [f"    Known mistake: {result.mistake['name']}", f"    Hint: {result.mistake['hint']}"]
    lines.extend(_finding_lines(note, 4) for note in result.notes)
    lines.append(result.summary())
    return "\n".join(lines)


def _finding_lines(finding: Finding, indent: int) -> str:
    first, *rest = finding.message.splitlines() or [""]
    return "\n".join([f"{' ' * indent}{MARKS[finding.kind]} {first}", *(" " * (indent + 2) + line for line in rest)])


def run_checks(checks_path: str | Path, namespace: dict, only: str | None = None, out: Any = None) -> list[ExerciseResult]:
    """Check ``only`` (an exercise id or function name) or every exercise on ``namespace``; print each report."""
    checks = load_checks(checks_path)
    exercises = [find_exercise(checks, only)] if only else checks["exercises"]
    results = []
    for exercise in exercises:
        results.append(check_exercise(exercise, namespace, checks["global_seed"]))
        print(render(results[-1]), file=out or sys.stdout, flush=True)
    return results


def notebook_namespace(path: str | Path, root: Path) -> dict:
    """A fresh namespace with the saved notebook's (or .py file's) definitions run in it, by the grader's rule
    (grading/rule.py, vendored above): imports, defs, classes and constants computed with NumPy, never experiments."""
    path = Path(path)
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        sources = ["".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                   for cell in cells if cell.get("cell_type") == "code"]
    else:
        sources = [path.read_text(encoding="utf-8")]
    namespace: dict[str, Any] = {"__name__": "submission"}
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    pure_names, unrun = {"np", "numpy", "math"}, {}
    for number, source in enumerate(sources, start=1):
        for node in _definitions(source, pure_names, unrun):
            try:
                exec(compile(ast.Module([node], []), f"code cell {number}", "exec"), namespace)
            except Exception as error:  # noqa: BLE001 - one failing definition costs only what needs it
                if isinstance(node, ast.Import | ast.ImportFrom):  # a constant of an experiment's is not worth a line
                    print(f"  ! code cell {number}: {type(error).__name__}: {error}")
    return namespace


def _definitions(source: str, pure_names: set[str], unrun: dict[str, str]) -> list[ast.stmt]:
    """What the grader runs of one cell (see grading/rule.py); ``unrun`` collects the names left-out statements assign."""
    lines = ["" if line.lstrip().startswith(("!", "%")) else line for line in source.splitlines()]
    try:
        tree = ast.parse("\n".join(lines))
    except (SyntaxError, RecursionError, MemoryError, ValueError) as error:
        print(f"  ! a cell does not parse ({type(error).__name__}): skipped")
        return []
    kept = []
    for node in tree.body:
        _note_imports(node, pure_names)
        if _is_definition(node, pure_names) and not _uses_unrun(node, unrun):
            kept.append(node)
            for name in _bound_names(node):
                unrun.pop(name, None)
        else:
            unrun.update(dict.fromkeys(_assigned_names(node), "left out"))
    return kept


def check_in_notebook(checks_path: str | Path, exercise: str | None = None, namespace: dict | None = None) -> None:
    """What a notebook's check cell calls: grade the functions defined in the running kernel."""
    if namespace is None:
        namespace = sys.modules["__main__"].__dict__
    run_checks(checks_path, namespace, exercise)


def main(checks_path: str | Path, notebook: str | Path, argv: list[str] | None = None) -> int:
    """``python tests/test_NAME.py [--test_case ID] [--submission PATH]``: exit 0 when every selected exercise passes."""
    parser = argparse.ArgumentParser(description=f"Check {Path(notebook).name} on the public cases (save it first).")
    parser.add_argument("--test_case", "--test-case", dest="test_case", help="one exercise id or function name")
    parser.add_argument("--submission", default=str(notebook), help="the notebook or .py file to check")
    args = parser.parse_args(argv)
    try:
        namespace = notebook_namespace(args.submission, Path(checks_path).resolve().parent.parent)
        results = run_checks(checks_path, namespace, args.test_case)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0 if all(result.passed for result in results) else 1
