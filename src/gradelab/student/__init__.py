"""Modules that students import, in their notebooks and inside the grader's worker alike.

This package must stay trivial: the worker's import guard lets student code
import these modules and their parent packages (``gradelab`` and this one),
so nothing here may import the reference core, a grading module or an
assignment's declaration.
"""
