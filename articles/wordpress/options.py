"""What an import is asked to do (`ImportOptions`, with the map files) and what it did
(`ImportSummary`)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_WARNINGS = 1000


class ImportOptionsError(ValueError):
    """A map file or option that cannot be used; nothing was imported."""


@dataclass
class ImportOptions:
    dry_run: bool = False
    overwrite_edited: bool = False
    media_dir: str = ""
    fetch_media: bool = False
    # WordPress category slug -> our section slug; WordPress login -> our author slug.
    section_map: dict[str, str] = field(default_factory=dict)
    author_map: dict[str, str] = field(default_factory=dict)
    # Posts imported in one transaction (each that writes alone in its own savepoint),
    # whose published documents are built together at its end. 500 rather than 100: 7 %
    # less of the importer's CPU and fewer round trips a post, for 8 MB more
    # (docs/performance.md, "WordPress import").
    batch_size: int = 500
    # New posts of a batch written together at its end (`articles_create_bulk`); False
    # writes each through `article_create` at once (the tests compare the two).
    bulk: bool = True


@dataclass
class ImportSummary:
    """What an import did: outcomes per kind ("post", "created"), skips per kind and
    reason, and warnings ("post 123: …")."""

    outcomes: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    items: int = 0

    def count(self, kind: str, outcome: str) -> None:
        self.outcomes[(kind, outcome)] += 1

    def skip(self, kind: str, reason: str) -> None:
        self.outcomes[(kind, "skipped")] += 1
        self.skipped[(kind, reason)] += 1

    def warn(self, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)

    def as_dict(self) -> dict[str, Any]:
        kinds: dict[str, dict[str, int]] = {}
        for (kind, outcome), number in sorted(self.outcomes.items()):
            kinds.setdefault(kind, {})[outcome] = number
        return {
            "items": self.items,
            "kinds": kinds,
            "skipped": [
                {"kind": kind, "reason": reason, "count": number}
                for (kind, reason), number in sorted(self.skipped.items())
            ],
            "warning_count": self.warning_count,
            "warnings": self.warnings,
        }

    def lines(self) -> list[str]:
        out = []
        for kind, outcomes in self.as_dict()["kinds"].items():
            shown = ", ".join(f"{outcome} {number}" for outcome, number in outcomes.items())
            out.append(f"{kind}: {shown}")
        for (kind, reason), number in sorted(self.skipped.items()):
            out.append(f"  skipped {kind} ({reason}): {number}")
        out.append(f"warnings: {self.warning_count}")
        return out


def load_map(path: str) -> dict[str, str]:
    """A map file: JSON (an object of strings) or CSV (two columns, WordPress then ours; a
    header row `wordpress,newsroom` may come first)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportOptionsError(f"{path}: {exc}") from exc
    if path.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ImportOptionsError(f"{path}: not JSON ({exc})") from exc
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise ImportOptionsError(f"{path}: expected an object of strings")
        return {k.strip(): v.strip() for k, v in data.items()}
    mapping = {}
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or not "".join(row).strip():
            continue
        if len(row) != 2:
            raise ImportOptionsError(f"{path}, line {number}: expected two columns")
        if number == 1 and row[0].strip().lower() == "wordpress":
            continue
        mapping[row[0].strip()] = row[1].strip()
    return mapping
