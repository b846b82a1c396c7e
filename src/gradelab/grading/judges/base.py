"""The judge interface, the context a judge gets, and the registry of judges by name.

A judge is one way of deciding about a case: compare values, check gradients by
finite differences, check seeded draws in distribution, check what training
reached. Every judge has the same interface::

    judge(context, expected, got, probe) -> list[Finding]

``context`` is the case (its name, seed, hidden or not, inputs, attached data) and
how the exercise names positions; ``expected`` is the reference's output on those
inputs; ``got`` the student's, as plain data; ``probe`` calls the student's
function again (only second verdicts use it). A judge fails a case with a
``Finding("fail", ...)``; it never raises for a student's wrong answer (an
exception from a judge is a grader error, reported to the instructor).

Judges are registered by name, as Keras registers initializers, so that a
declaration, a recording and an autograder bundle can carry them as data:
``to_data(judge) == {"name": "values", "config": {...}}`` and ``from_data`` back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ..outcome import Finding

if TYPE_CHECKING:
    from ..spec import Case

#: Roles: "case" judges judge every case; an "acceptance" judge is a second verdict, run once when values differ,
#: that may accept the exercise (right in another way, e.g. in distribution).
CASE, ACCEPTANCE = "case", "acceptance"


class Probe(Protocol):
    def call(self, *args: Any, **kwargs: Any) -> Any: ...

    def twice(self, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        """Two calls in a row in one worker call: no reseeding of NumPy's global generator in between."""
        ...


@dataclass(frozen=True)
class CaseContext:
    """The case being judged, its inputs, and the exercise's notation for positions in an output."""

    exercise_id: str
    function: str
    case: Case
    args: list
    kwargs: dict
    namer: Callable[[tuple], str]
    mutated: tuple[str, ...] = ()  # the arguments the student's call changed in place, by name

    @property
    def hidden(self) -> bool:
        return self.case.hidden

    @property
    def data(self) -> Mapping[str, Any]:
        """What the case's maker attached (a held-out set, a task): judges read it here, never from globals."""
        return self.case.data


class Judge:
    """Base of every judge. Subclasses are small frozen dataclasses whose fields are their configuration."""

    name: ClassVar[str] = ""
    role: ClassVar[str] = CASE
    #: False for a judge that needs the grader's reference code to run (it cannot run in a student's bundle).
    local: ClassVar[bool] = True

    def judge(self, context: CaseContext, expected: Any, got: Any, probe: Probe | None = None) -> list[Finding]:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return asdict(self) if fields(self) else {}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Judge:
        return cls(**config)

    @property
    def is_data(self) -> bool:
        """True when ``from_data(to_data(self))`` rebuilds this judge (registered, configured by plain data)."""
        return REGISTRY.get(self.name) is type(self)


REGISTRY: dict[str, type[Judge]] = {}


def register(cls: type[Judge]) -> type[Judge]:
    """Class decorator: make ``cls`` findable by its ``name``."""
    if not cls.name:
        raise ValueError(f"judge class {cls.__name__} has no name to register")
    known = REGISTRY.get(cls.name)
    if known is not None and known.__qualname__ != cls.__qualname__:
        raise ValueError(f"two judges are registered as {cls.name!r}: {known.__qualname__} and {cls.__qualname__}")
    REGISTRY[cls.name] = cls
    return cls


def get(name: str, **config: Any) -> Judge:
    """A registered judge by name, e.g. ``get("values", rtol=1e-4)``."""
    if name not in REGISTRY:
        raise ValueError(f"no judge is registered as {name!r}; registered judges: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name].from_config(config)


def to_data(judge: Judge) -> dict[str, Any]:
    if not judge.is_data:
        raise ValueError(f"the judge {judge!r} is not registered by name, so it cannot be carried as data")
    return {"name": judge.name, "config": judge.get_config()}


def from_data(data: Mapping[str, Any]) -> Judge:
    if not isinstance(data, Mapping) or not isinstance(data.get("name"), str):
        raise ValueError(f"a judge as data is {{'name': ..., 'config': {{...}}}}, not {data!r}")
    return get(data["name"], **dict(data.get("config") or {}))


def fails(findings: list[Finding]) -> bool:
    return any(finding.kind == "fail" for finding in findings)
