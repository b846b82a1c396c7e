"""Judges: each way of deciding about a case is a small registered class (see base.py for the interface).

Built in: ``values`` (comparison with a tolerance and a dtype rule), ``output_adapter``
(plain data from a returned object), ``finite_differences`` (gradients against
central differences of a named witness), ``seeded_draws`` (a second verdict:
initializers right in distribution). Assignments register their own, e.g.
``deep_network.trained_model``.
"""

from .base import ACCEPTANCE, CASE, REGISTRY, CaseContext, Judge, Probe, fails, from_data, get, register, to_data
from .contracts import CostsInterval, InputsKept, SeedUse
from .draws import SeededDraws
from .gradients import FiniteDifferences, Gradients, witness
from .legacy import Acceptance, CaseCheck
from .values import OutputAdapter, Values

__all__ = ["ACCEPTANCE", "CASE", "REGISTRY", "Acceptance", "CaseCheck", "CaseContext", "CostsInterval", "FiniteDifferences",
           "Gradients", "InputsKept", "Judge", "OutputAdapter", "Probe", "SeedUse", "SeededDraws", "Values", "fails", "from_data",
           "get", "register", "to_data", "witness"]
