# ruff: noqa: T201 - a developer script that prints its figures
"""Instructions per request, counted by valgrind's callgrind: a measure of a request's
work that the machine's load does not move (docs/performance.md, "Ninth round").

Runs `bench/detail_profile.py` under callgrind twice, serving `--low` and then `--high`
requests after the same warm-up, and divides the difference in instructions by the
difference in requests, so Python's start, Django's set-up and the warm-up cancel out.
Takes about 25 s per 200 requests. Same database and settings as `detail_profile.py`:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench DEBUG=0 \\
        SECURE_SSL_REDIRECT=0 API_ANON_THROTTLE_RATE=100000000/min \\
        .venv/bin/python bench/instructions.py [--url "/api/v1/articles/?page_size=20"]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROFILE_SCRIPT = Path(__file__).with_name("detail_profile.py")
COLLECTED = re.compile(r"Collected : (\d+)")


def instructions(requests: int, slugs: int, url: str | None) -> int:
    """Instructions callgrind counted in one run of `detail_profile.py`."""
    command = [sys.executable, str(PROFILE_SCRIPT), "--requests", str(requests)]
    command += ["--slugs", str(slugs)] + (["--url", url] if url else [])
    with tempfile.TemporaryDirectory() as folder:
        finished = subprocess.run(  # noqa: S603 - valgrind and this Python
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/callgrind.out"]
            + command,
            capture_output=True,
            text=True,
            check=True,
            env=os.environ,
        )
    match = COLLECTED.search(finished.stderr)
    if match is None:
        raise SystemExit(f"callgrind printed no count:\n{finished.stderr[-2000:]}")
    return int(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="serve this URL every time instead of E3's details")
    parser.add_argument("--slugs", type=int, default=100, help="E3: distinct articles")
    parser.add_argument("--low", type=int, default=200)
    parser.add_argument("--high", type=int, default=600)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed")
    low = instructions(args.low, args.slugs, args.url)
    high = instructions(args.high, args.slugs, args.url)
    per_request = (high - low) / (args.high - args.low)
    print(f"{args.url or 'E3 detail'}: {per_request:,.0f} instructions per request")


if __name__ == "__main__":
    main()
