"""What runs inside the sandbox: the worker, its guard, its privileges, the fork server's zygote.

It imports only itself and grading.protocol, never the grader's side (engine, judges, references).
"""
