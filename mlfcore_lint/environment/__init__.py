"""The project's environment as its files declare it, read without running anything.

Where the project installs from (requirements files, ``pyproject.toml``, ``setup.cfg``, ``environment.yml``,
lock files, Dockerfiles, ``MLproject``) and the environment variables it sets outside Python (Dockerfile
``ENV``, ``MLproject`` ``docker_env``, conda ``variables:``, ``.env``, tox and nox, GitHub workflows). Each
reader takes one regular file of bounded size and never raises on bad input: a file it cannot read or parse
becomes a :class:`~mlfcore_lint.environment.model.FileProblem` (reported as MLF905).
"""
