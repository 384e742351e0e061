"""Fast, exact grading of nbgrader assignments (declarative items without kernels).

Entry point: ``fazhi.grading.grade.grade`` (the ``fazhi grade`` command). docs/grading.md
explains the pipeline and what is identical to ``nbgrader autograde``.
"""
