"""What both sides of the wall share: the wire format, framed channels, the tree comparison, the limits.

Standard library and NumPy only: the sandbox imports these, and nothing of the grader's.
"""
