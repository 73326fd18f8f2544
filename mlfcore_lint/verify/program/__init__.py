"""``mlfcore-lint verify program``: run the user's own training twice and name the first op that differs.

The parent (:mod:`.cli`, :mod:`.launcher`) imports no framework.  Each run is a fresh process
(:mod:`.child`) that installs global PyTorch hooks (:mod:`.recorder`) before the user's script runs,
records a digest (:mod:`.digest`) of every module call's inputs, outputs and gradients and of the
parameters after each optimizer step, and stops the script after ``--steps`` optimizer steps.  The
parent compares the traces (:mod:`.compare`), names the rule that explains the first difference
(:mod:`.explain`) and writes a JSON result and a Markdown report (:mod:`.report`).  The same runs can be
started from a project's own test suite through the pytest plugin (:mod:`.pytest_plugin`).
"""
