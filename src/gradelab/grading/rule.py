"""What the grader runs of a submission: its definitions, never its experiments (RULE says it in students' words).

Pure ``ast``: submission.py reads submissions with it, and the student's bundle checker vendors this file
(checker/__init__.py), so a check from a shell keeps exactly the statements the grader keeps.
"""

from __future__ import annotations

import ast

#: What students read (the notebook's first cell, the README): the rule of _is_definition in words.
RULE = ("The checker runs your notebook's definitions, not its experiments: imports, `def` and `class` "
        "statements, and assignments such as `HE_GAIN = np.sqrt(2.0)`, `relu2 = lambda z: np.maximum(0, z)` or "
        "`layers_dims = [12288, 20, 7, 5, 1]` whose right side uses only numbers, names, lambdas, and NumPy, `math` "
        "or built-in functions. It does not run a statement that calls one of your own functions (training), "
        "draws from `np.random`, reads a file, plots or prints: compute such values inside the function that "
        "needs them.")

#: Expression nodes allowed on the right of a kept assignment (calls are checked on their own).
_CONSTANT_NODES = (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.UnaryOp, ast.BinOp, ast.BoolOp, ast.Compare,
                   ast.IfExp, ast.Name, ast.Attribute, ast.Subscript, ast.Slice, ast.Starred, ast.Load, ast.Store,
                   ast.operator, ast.unaryop, ast.boolop, ast.cmpop, ast.ListComp, ast.SetComp, ast.DictComp,
                   ast.GeneratorExp, ast.comprehension, ast.keyword, ast.Call, ast.Lambda, ast.JoinedStr,
                   ast.FormattedValue)
#: Modules whose functions a kept assignment may call: pure computations on numbers.
_PURE_MODULES = frozenset({"numpy", "math"})
#: Parts of those modules that are experiments or input and output, never run at load.
_NOT_PURE = frozenset({"random", "load", "loadtxt", "genfromtxt", "fromfile", "save", "savez", "savetxt", "memmap",
                       "set_printoptions", "seterr", "testing", "lib", "ctypeslib", "f2py", "distutils"})
#: Built-in functions a kept assignment may call.
_PURE_BUILTINS = frozenset({"abs", "all", "any", "bool", "complex", "dict", "divmod", "enumerate", "float", "frozenset",
                            "int", "len", "list", "max", "min", "pow", "range", "reversed", "round", "set", "slice",
                            "sorted", "str", "sum", "tuple", "zip"})


def _is_definition(node: ast.stmt, pure_names: set[str] | None = None) -> bool:
    """Imports, defs, classes, and assignments to names computed without running an experiment (see RULE)."""
    if _imports_the_bundles_checks(node):
        return False  # `from tests import check`: the student's local checks, nothing a graded function uses
    if isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return True
    if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
        return bool(_assigned_names(node)) and _why_not_run(node.value, pure_names or {"np", "numpy", "math"}) is None
    return False


def _imports_the_bundles_checks(node: ast.stmt) -> bool:
    if isinstance(node, ast.ImportFrom):
        return not node.level and (node.module or "").split(".")[0] == "tests"
    return isinstance(node, ast.Import) and all(alias.name.split(".")[0] == "tests" for alias in node.names)


def _bound_names(node: ast.stmt) -> list[str]:
    """The top-level names a kept statement defines."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [(alias.asname or alias.name).split(".")[0] for alias in node.names]
    return _assigned_names(node)


def _uses_unrun(node: ast.stmt, unrun: dict[str, str]) -> bool:
    """An assignment computed from a name that a left-out statement assigns (``m = train_X.shape[0]``) is left out too."""
    if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
        return False
    return any(isinstance(child, ast.Name) and child.id in unrun for child in _walk_outside_lambdas(node.value))


def _assigned_names(node: ast.stmt) -> list[str]:
    """The names an assignment binds (``a = b = ...``, ``a, b = ...``); [] where a target is not a plain name."""
    if not isinstance(node, ast.Assign | ast.AnnAssign):
        return []
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names = []
    for target in targets:
        items = target.elts if isinstance(target, ast.Tuple | ast.List) else [target]
        if not all(isinstance(item, ast.Name) for item in items):
            return []
        names.extend(item.id for item in items)
    return names


def _why_not_run(value: ast.expr, pure_names: set[str]) -> str | None:
    """None when the expression only computes (see RULE); else why the checker leaves it out, in words."""
    for child in _walk_outside_lambdas(value):
        if not isinstance(child, _CONSTANT_NODES):
            return f"it contains {type(child).__name__.lower()} syntax the checker does not run"
        if isinstance(child, ast.Call):
            why = _why_call_not_run(child.func, pure_names)
            if why:
                return why
    return None


def _walk_outside_lambdas(node: ast.AST) -> list[ast.AST]:
    """Every node of ``node`` except inside lambdas: a lambda's body runs only when a graded function calls it."""
    found, todo = [], [node]
    while todo:
        current = todo.pop()
        found.append(current)
        if not isinstance(current, ast.Lambda):
            todo.extend(ast.iter_child_nodes(current))
    return found


def _why_call_not_run(func: ast.expr, pure_names: set[str]) -> str | None:
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return "it calls the result of an expression"
    parts.append(func.id)
    dotted = ".".join(reversed(parts))
    if len(parts) == 1:
        if func.id in _PURE_BUILTINS or func.id in pure_names:  # sqrt after ``from numpy import sqrt``
            return None
        return f"it calls {func.id}, which may be one of your functions or an experiment"
    if func.id not in pure_names:
        return f"it calls {dotted}, which is not a NumPy, math or built-in computation"
    if "random" in parts[:-1]:
        return f"it calls {dotted}, which draws random numbers: an experiment"
    if any(part in _NOT_PURE for part in parts[:-1]):
        return f"it calls {dotted}, which reads or writes files or changes NumPy's settings"
    return None


def _note_imports(node: ast.stmt, pure_names: set[str]) -> None:
    """``import numpy as xp`` makes ``xp`` a NumPy name too, ``from numpy import sqrt`` makes ``sqrt`` one."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.split(".")[0] in _PURE_MODULES and (alias.asname or "." not in alias.name):
                pure_names.add(alias.asname or alias.name)
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        parts = node.module.split(".")
        if parts[0] in _PURE_MODULES and not any(part in _NOT_PURE for part in parts[1:]):
            pure_names.update(alias.asname or alias.name for alias in node.names if alias.name not in _NOT_PURE | {"*"})
