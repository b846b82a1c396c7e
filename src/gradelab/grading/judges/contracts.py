"""Contracts the template states, checked where the grader's own care would hide them.

* ``seed_use``: a function that must seed its draws (with its ``seed`` argument, or with the course's fixed seed
  as the template's ``np.random.seed(1)`` line does). The worker seeds NumPy before every call, so a function that
  forgot to seed gives the right numbers on one call; here it is called twice in a row in one worker call (no
  reseeding in between) and, where it takes a seed, with two seeds.
* ``inputs_kept``: the caller's data stays as it was where the template promises it (``update_parameters``
  copies ``params``): changing it in place fails the case, not only warns.
* ``costs_interval``: the costs are recorded at the stated interval (every 100 iterations), as many as the
  reference records.

They run on every case, public ones included, so a student learns of a broken contract from the check. They need
the worker (a probe, what the call changed), so they are not ``local``: a bundle's local check leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..outcome import Finding
from ..protocol.trees import same_tree
from .base import CaseContext, Judge, Probe, register


@register
@dataclass(frozen=True)
class SeedUse(Judge):
    """Repeatable draws that depend on the seed. ``seed_position`` < 0: the function seeds with ``fixed_seed`` itself."""

    name: ClassVar[str] = "seed_use"
    local: ClassVar[bool] = False
    seed_position: int = -1
    fixed_seed: int = 1

    def judge(self, context: CaseContext, expected: Any, got: Any, probe: Probe | None = None) -> list[Finding]:
        if probe is None:
            return []  # a local check without the worker: the grader's check and grading judge it
        args = list(context.args)
        if self.seed_position < 0:
            first, second = probe.twice(*args, **context.kwargs)
            if same_tree(first, second):
                return []
            return [Finding("fail", f"called twice in a row, {context.function} gave different numbers: it must seed NumPy "
                                    f"itself with np.random.seed({self.fixed_seed}), as the template's line does, before it "
                                    "draws (the checker seeds NumPy before each call, which hid this on one call)", "seed")]
        return self._with_seed(context, probe, args)

    def _with_seed(self, context: CaseContext, probe: Probe, args: list) -> list[Finding]:
        seed = int(args[self.seed_position]) if self.seed_position < len(args) else None
        if seed is None:
            return []  # the case relies on the default seed: the other cases give one
        first, second = probe.twice(*args, **context.kwargs)
        if not same_tree(first, second):
            return [Finding("fail", f"called twice in a row with seed={seed}, {context.function} gave different numbers: "
                                    "seed the generator with seed before drawing (np.random.seed(seed))", "seed")]
        other = list(args)
        other[self.seed_position] = seed + 1
        if same_tree(first, probe.call(*other, **context.kwargs)):
            return [Finding("fail", f"seed={seed} and seed={seed + 1} gave the same numbers: the seed argument is ignored "
                                    "(a fixed np.random.seed(...) in place of np.random.seed(seed)?)", "seed")]
        return []


@register
@dataclass(frozen=True)
class InputsKept(Judge):
    """The arguments named here must not change in place: the template promises the caller's data stays."""

    name: ClassVar[str] = "inputs_kept"
    local: ClassVar[bool] = False
    arguments: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: Any) -> InputsKept:
        return cls(tuple(config.get("arguments", ())))

    def get_config(self) -> dict[str, Any]:
        return {"arguments": list(self.arguments)}

    def judge(self, context: CaseContext, expected: Any, got: Any, probe: Probe | None = None) -> list[Finding]:
        changed = [name for name in context.mutated if name in self.arguments]
        if not changed:
            return []
        names = ", ".join(changed)
        return [Finding("fail", f"{context.function} changed the caller's {names} in place; the template promises that the "
                                f"caller's {names} stays as it was (its copy.deepcopy line): update the copy", "mutated")]


@register
@dataclass(frozen=True)
class CostsInterval(Judge):
    """``got[index]`` (the costs) has as many entries as the reference's: one every ``every`` iterations."""

    name: ClassVar[str] = "costs_interval"
    local: ClassVar[bool] = False
    index: int = 1
    every: int = 100

    def judge(self, context: CaseContext, expected: Any, got: Any, probe: Probe | None = None) -> list[Finding]:
        try:
            wanted, recorded = len(expected[self.index]), len(got[self.index])
        except (TypeError, IndexError, KeyError):
            return []  # the structure is wrong: the model's own judge says how
        if wanted == recorded or recorded < 2:
            return []  # fewer than 2: no interval to speak of, and the model's judge already asks for the costs
        return [Finding("fail", f"costs has {recorded} entries, expected {wanted}: record the cost every {self.every} "
                                f"iterations (when i % {self.every} == 0), as the docstring says", "costs")]
