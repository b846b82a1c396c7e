"""Seeded draws judged in distribution: the second verdict for initializers, where many outputs are right.

A seeded initializer that draws from another generator (``np.random.default_rng``)
or in another order gives other numbers than the reference and is still correct.
When its values differ, this judge calls the student's function again on large
layers and accepts it when the draws are right in distribution: keys and shapes,
zero biases, each W[l]'s mean within ``mean_sigmas`` standard errors of 0 and its
standard deviation within ``relative_std_tolerance`` of the expected scale, layers
that do not repeat each other's numbers, and the same output for the same seed
(another for another seed, where the function takes one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..outcome import Finding
from ..protocol.trees import same_tree
from .base import ACCEPTANCE, CaseContext, Judge, Probe, fails, register


@register
@dataclass(frozen=True)
class SeededDraws(Judge):
    """``f(*args, seed)`` for each of ``seeds`` (or ``f(*args)`` twice, for a function that seeds itself).

    ``scales`` maps n_{l-1} to the expected standard deviation of W[l] at the sizes checked, so the judge
    is plain data however the declaration computed it.
    """

    name: ClassVar[str] = "seeded_draws"
    role: ClassVar[str] = ACCEPTANCE
    layers_dims: tuple[int, ...] = (1000, 800, 600)
    scales: Mapping[int, float] = field(default_factory=dict)
    args: tuple = ()  # the call's arguments before the seed; by default (layers_dims,)
    seeds: tuple[int, ...] = (5, 6)  # () for a function that seeds itself: it must repeat its draws
    relative_std_tolerance: float = 0.05
    mean_sigmas: float = 6.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SeededDraws:
        config = dict(config)
        config["scales"] = {int(n): float(s) for n, s in dict(config.get("scales", {})).items()}
        for name in ("layers_dims", "args", "seeds"):
            if name in config:
                config[name] = tuple(config[name])
        return cls(**config)

    def get_config(self) -> dict[str, Any]:
        return {"layers_dims": [int(n) for n in self.layers_dims], "scales": {int(n): float(s) for n, s in self.scales.items()},
                "args": list(self.args), "seeds": [int(s) for s in self.seeds],
                "relative_std_tolerance": float(self.relative_std_tolerance), "mean_sigmas": float(self.mean_sigmas)}

    def judge(self, context: CaseContext, expected: Any, got: Any, probe: Probe | None = None) -> list[Finding]:
        dims = list(self.layers_dims)
        args = list(self.args) if self.args else [dims]
        seeded = args + [self.seeds[0]] if self.seeds else args
        first, again = probe.call(*seeded), probe.call(*seeded)
        findings = self._distribution(first) or self._layers_repeat(first) + self._repeatability(probe, args, first, again)
        if fails(findings):
            where = f"layers_dims {dims}" if self.seeds else f"layer sizes {dims}"
            return [Finding("info", f"checked in distribution on {where}:")] + findings
        return [Finding("info", self._accepted_text(dims), "distribution")]

    def _repeatability(self, probe: Probe, args: list, first: Any, again: Any) -> list[Finding]:
        if not self.seeds:
            if not same_tree(first, again):
                return [Finding("fail", "two calls gave different weights: seed the generator you draw from", "seed")]
            return []
        if not same_tree(first, again):
            return [Finding("fail", f"the same seed ({self.seeds[0]}) gave different weights: the seed is not used to seed the draws",
                            "seed")]
        if same_tree(first, probe.call(*args, self.seeds[1])):
            return [Finding("fail", f"seeds {self.seeds[0]} and {self.seeds[1]} gave the same weights: the seed is ignored", "seed")]
        return []

    def _accepted_text(self, dims: list[int]) -> str:
        if not self.seeds:
            scale = next(iter(self.scales.values()), 0.0)
            return (f"your values differ from the reference's np.random.randn sequence but are right in distribution on layer "
                    f"sizes {dims} (shapes, zero biases, mean 0, standard deviation {scale}) and repeatable; full credit")
        return ("your values differ from the reference sequence, which np.random.seed(seed) followed by np.random.randn per "
                f"layer gives, but they are right in distribution on layers_dims {dims}: shapes, zero biases, mean and standard "
                "deviation, and the same output for the same seed. That happens with another generator (np.random.default_rng) "
                "or another order of draws; full credit")

    def _distribution(self, parameters: Any) -> list[Finding]:
        if not isinstance(parameters, dict) or not parameters:
            got = "an empty dict" if parameters == {} else type(parameters).__name__
            return [Finding("fail", f"expected a dict of parameters, got {got}", "type")]
        dims = list(self.layers_dims)
        findings = []
        for l in range(1, len(dims)):
            W, b = parameters.get(f"W{l}"), parameters.get(f"b{l}")
            if not isinstance(W, np.ndarray) or W.shape != (dims[l], dims[l - 1]):
                findings.append(Finding("fail", f"W{l} must be an array of shape {(dims[l], dims[l - 1])} (n_{l}, n_{l - 1}), "
                                                f"got {getattr(W, 'shape', type(W).__name__)}", "shape"))
                continue
            if not isinstance(b, np.ndarray) or b.shape != (dims[l], 1) or np.any(b != 0):
                findings.append(Finding("fail", f"b{l} must be zeros of shape {(dims[l], 1)}", "values"))
            findings.extend(self._moments(l, W, dims))
        return findings

    def _moments(self, l: int, W: np.ndarray, dims: list[int]) -> list[Finding]:
        expected_std = self.scales[dims[l - 1]]
        mean, std, margin = float(np.mean(W)), float(np.std(W)), self.mean_sigmas * expected_std / np.sqrt(W.size)
        findings = []
        if abs(mean) > margin:
            findings.append(Finding("fail", f"W{l}'s mean is {mean:.4g}; weights drawn around 0 give about 0 (within {margin:.2g})",
                                    "distribution"))
        if abs(std - expected_std) > self.relative_std_tolerance * expected_std:
            findings.append(Finding("fail", f"W{l}'s standard deviation is {std:.4g}, expected {expected_std:.4g} "
                                            f"(n_{l - 1} = {dims[l - 1]})", "distribution"))
        return findings

    def _layers_repeat(self, parameters: dict) -> list[Finding]:
        """Independent layers never start with the same standardized numbers; re-seeding inside the loop makes them."""
        dims = list(self.layers_dims)
        first = parameters["W1"].ravel()[:50] / self.scales[dims[0]]
        for l in range(2, len(dims)):
            if np.allclose(first, parameters[f"W{l}"].ravel()[:50] / self.scales[dims[l - 1]]):
                return [Finding("fail", f"W1 and W{l} start with the same random numbers: the generator is seeded again in "
                                        "every layer", "seed")]
        return []
