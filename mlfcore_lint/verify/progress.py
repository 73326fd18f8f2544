"""A progress bar on standard error: redrawn in place on a terminal, one line per step elsewhere."""

from __future__ import annotations

import sys
import time


class Progress:
    WIDTH = 30

    def __init__(self, total: int, stream=None, enabled: bool = True):
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.started = time.monotonic()
        self.interactive = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()

    def line(self, label: str) -> str:
        filled = self.WIDTH * self.done // self.total
        elapsed = time.monotonic() - self.started
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        return f"[{bar}] {self.done}/{self.total} {elapsed:5.0f}s {label}"

    def step(self, label: str) -> None:
        """Count one step done; ``label`` says what was just done."""
        self.done += 1
        if not self.enabled:
            return
        if self.interactive:
            self.stream.write("\r\033[K" + self.line(label))
            if self.done >= self.total:
                self.stream.write("\n")
        else:
            self.stream.write(self.line(label) + "\n")
        self.stream.flush()
