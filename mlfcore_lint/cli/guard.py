"""How every command ends: a result code, or one line on standard error and exit 2, never a traceback."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from .terminal import printable

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def run_guarded(program: str, action: Callable[[], int], expected: tuple[type[BaseException], ...]) -> int:
    """Run ``action``; ``expected`` errors are the user's (bad input, configuration), others are internal."""
    try:
        return action()
    except expected as error:
        sys.stderr.write(f"{program}: error: {printable(str(error))}\n")
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write(f"{program}: interrupted\n")
        return EXIT_INTERRUPTED
    except Exception as error:  # an internal error: one line, exit 2; MLFCORE_LINT_DEBUG=1 shows the traceback
        sys.stderr.write(f"{program}: internal error: {type(error).__name__}: {printable(str(error))}\n")
        if os.environ.get("MLFCORE_LINT_DEBUG"):
            raise
        return EXIT_ERROR
