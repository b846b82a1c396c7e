"""Modules that students import, in their notebooks and inside the grader's worker alike.

The worker's import guard lets student code import the helpers an assignment
lists and their parent packages (``gradelab`` and this one), so nothing here
may import a grading module or an assignment's declaration. What each helper
brings of gradelab when imported (tests/test_worker_isolation.py checks it):

* ``dnn_utils``: nothing; it imports NumPy only.
* ``keras_lab``: :mod:`gradelab.keras`, and through it the whole reference
  core, :mod:`gradelab.nn`: Dense layers and losses compute with nn's
  activations, ``course_forward`` with nn's layers, and importing any part of
  nn runs its ``__init__``, which imports all of it (initializers included).

In a worker that is handed keras_lab, these modules are imported before the
guard closes and then dropped from ``sys.modules``: ``import gradelab.nn`` is
refused, yet nn's functions stay in memory, reachable through gradelab.keras
(``gradelab.keras.layers.FORWARD`` holds nn's activations). So keras_lab suits
an assignment whose answers are not in gradelab.nn (keras_intro grades the
student's own dense layers and model design), never one graded against nn.
"""
