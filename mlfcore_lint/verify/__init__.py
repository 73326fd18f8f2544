"""The fixture suite: run every op rule's fixture in three setups and report what the hardware did.

A fixture is a small program in ``fixtures/<framework>/`` that calls the op a rule flags
(``MLF101_max_pool3d.py``) beside the deterministic alternative the rule recommends
(``MLF101_max_pool3d_alternative.py``).  ``mlfcore-lint verify run`` executes each one several times
with no seeds, with seeds, and with seeds plus the framework's determinism switch, compares the outputs
bit for bit, and writes JSON results; ``mlfcore-lint verify report`` merges results from several machines
into a Markdown report, a plot and the ``rule -> verdict`` data the rule documentation links to.

``mlfcore-lint verify program`` (the :mod:`.program` package) runs the user's own training script instead of
the fixtures and names the first module call where two runs part.

Nothing here imports a framework in the parent process: frameworks are imported only by the worker
processes that run the fixtures.
"""
