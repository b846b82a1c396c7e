"""The keras_intro assignment: a dense layer in NumPy, looped and vectorized, two layers, and a Keras model.

Submissions import their helpers from :mod:`gradelab.student.keras_lab`; the declaration is in
:mod:`.declaration`.
"""

from .declaration import ASSIGNMENT, EXERCISES

__all__ = ["ASSIGNMENT", "EXERCISES"]
