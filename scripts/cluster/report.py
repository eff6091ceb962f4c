"""What a cluster run prints: notes, checks and targets as they come, then a summary. A missed
target or a failed check makes the run exit 1."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field


@dataclass
class Report:
    started: float = field(default_factory=time.monotonic)
    failures: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)

    def log(self, line: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f} s] {line}", flush=True)

    def note(self, line: str) -> None:
        self.log(f"  {line}")

    def check(self, name: str, ok: bool, evidence: str) -> bool:
        self.log(f"{'ok  ' if ok else 'FAIL'} {name}: {evidence}")
        if not ok:
            self.failures.append(name)
        return ok

    def target(self, name: str, value: float, unit: str, *, minimum=None, maximum=None,
               detail=()) -> bool:  # fmt: skip
        ok = (minimum is None or value >= minimum) and (maximum is None or value <= maximum)
        bound = f">= {minimum}" if minimum is not None else f"<= {maximum}"
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        line = f"{name}: {shown}{unit} (target {bound}{unit})"
        self.figures.append(("     " if ok else "MISS ") + line)
        self.check(name, ok, f"{shown}{unit}, target {bound}{unit}")
        for item in list(detail)[:10]:
            self.note(f"  {item}")
        return ok

    def summary(self) -> int:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"\nCluster run: {time.monotonic() - self.started:.0f} s, load average {load}")
        for line in self.figures:
            print(f"  {line}")
        if self.failures:
            print(f"cluster: FAILED ({len(self.failures)}): {', '.join(self.failures)}")
            return 1
        print("cluster: all targets met")
        return 0
