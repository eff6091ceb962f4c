# ruff: noqa: S603, S607 - a developer script: fixed local commands
"""The L-tier load test (docs/reliability.md, tier L), run by `make bench` after its
measurements unless BENCH_LOAD_MINUTES=0.

Locust (`bench/locustfile.py`, FastHttpUser, installed into var/locust-venv from
bench/requirements-load.txt) drives a fresh gunicorn (2 sync workers, as measured) for
BENCH_LOAD_MINUTES (default 10) at 80 % of the peak of this mix, from the E1-E4 peaks that
`make bench` just measured and the editors' write peak that this module measures first (20 s
without pause): 95 % public reads (latest list, tag list, author list, detail over 1,000
slugs, search) paced with `constant_throughput`, 5 % writes by editors through the write API
(create a draft, edit it with If-Match, publish it, edit it live, now and then unpublish it).

Environment:
    BENCH_LOAD_MINUTES  minutes of load (default 10; 0 skips the load test)
    BENCH_LOAD_RPS      total requests per second instead of 80 % of the measured mix peak

Every request's time, kind, status and latency go to a samples file; this module turns them
into a table per minute and a verdict: no error (any status >= 400 other than 429, or a
connection failure), p99 of the reads in the last two minutes not above 1.5 times that of the
first two (plus 10 ms of slack against noise), and at least 90 % of the target throughput
reached. The result is added under "load" to the bench/results JSON of the run.
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOCUSTFILE = REPO / "bench" / "locustfile.py"
REQUIREMENTS = REPO / "bench" / "requirements-load.txt"
LOCUST_VENV = REPO / "var" / "locust-venv"

# Share of the requests per kind (percent); reads are the public API, writes the editors'.
MIX = {"list": 25, "detail": 40, "tag": 15, "author": 10, "search": 5, "write": 5}
# The `make bench` endpoint whose measured peak stands for each read kind.
# "writes" is measured by the load test itself: its editors alone at full speed, briefly.
PEAK_SOURCE = {
    "list": "E1",
    "tag": "E2",
    "author": "E2",
    "detail": "E3",
    "search": "E4",
    "write": "writes",
}
CALIBRATION_EDITORS = 4  # two per gunicorn worker: enough to keep both busy
CALIBRATION_SECONDS = 20
TARGET_SHARE = 0.8
READS_PER_USER = 1.0  # requests per second of one simulated reader (slack for slow answers)
WRITES_PER_EDITOR = 1.0  # requests per second of one simulated editor
RISE_LIMIT = 1.5
RISE_SLACK_MS = 10.0
MIN_THROUGHPUT_SHARE = 0.9
WINDOW_SECONDS = 120.0


def log(message: str) -> None:
    print(f"[load] {message}", flush=True)


# --- Pure parts: pacing plan, statistics, verdict (tests/bench/test_load.py) ---------------


def mix_peak(peaks: dict[str, float], mix: dict[str, int] = MIX) -> float:
    """The request rate at which `mix` saturates the server, from each kind's own peak.

    Each kind costs 1/peak seconds of server capacity, so the mix's peak is the weighted
    harmonic mean. Taking the fastest endpoint's peak instead would overload the server as
    soon as slower requests (search, writes) are in the mix.
    """
    cost = 0.0
    for kind, share in mix.items():
        peak = peaks.get(PEAK_SOURCE[kind]) or 0.0
        if peak <= 0:
            raise ValueError(f"no measured peak for {kind} ({PEAK_SOURCE[kind]})")
        cost += share / peak
    return sum(mix.values()) / cost


def plan(target_rps: float, mix: dict[str, int] = MIX) -> dict[str, float | int]:
    """How many readers and editors, each at a constant pace, make `target_rps` in `mix`."""
    if target_rps <= 0:
        raise ValueError("the target rate must be positive")
    write_rps = target_rps * mix.get("write", 0) / sum(mix.values())
    read_rps = target_rps - write_rps
    readers = max(1, math.ceil(read_rps / READS_PER_USER))
    editors = max(1, math.ceil(write_rps / WRITES_PER_EDITOR)) if write_rps > 0 else 0
    return {
        "target_rps": round(target_rps, 1),
        "read_rps": round(read_rps, 2),
        "write_rps": round(write_rps, 2),
        "readers": readers,
        "editors": editors,
        "per_reader": read_rps / readers,
        "per_editor": write_rps / editors if editors else 0.0,
    }


def is_error(status: int) -> bool:
    """A failed request: no response at all (0) or any 4xx/5xx except throttling's 429."""
    return status == 0 or (status >= 400 and status != 429)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of unsorted `values`; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def read_samples(path: Path) -> list[tuple[float, str, int, float]]:
    """The locustfile's lines `epoch,kind,status,ms` as tuples, oldest first."""
    samples = []
    for line in path.read_text().splitlines():
        when, kind, status, ms = line.split(",")
        samples.append((float(when), kind, int(status), float(ms)))
    samples.sort()
    return samples


def summarize(samples: list[tuple[float, str, int, float]]) -> dict:
    reads = [ms for _, kind, _, ms in samples if kind != "write"]
    writes = [ms for _, kind, _, ms in samples if kind == "write"]
    return {
        "requests": len(samples),
        "writes": len(writes),
        "errors": sum(1 for s in samples if is_error(s[2])),
        "throttled": sum(1 for s in samples if s[2] == 429),
        "read_p50_ms": round(percentile(reads, 50), 2),
        "read_p99_ms": round(percentile(reads, 99), 2),
        "write_p99_ms": round(percentile(writes, 99), 2),
    }


def per_minute(
    samples: list[tuple[float, str, int, float]], start: float, seconds: float
) -> list[dict]:
    """One row per minute of the run (the last one may be shorter); late samples count last."""
    buckets = max(1, math.ceil(seconds / 60))
    grouped: list[list] = [[] for _ in range(buckets)]
    for sample in samples:
        index = min(buckets - 1, max(0, int((sample[0] - start) // 60)))
        grouped[index].append(sample)
    rows = []
    for index, group in enumerate(grouped):
        length = min(60.0, seconds - 60 * index)
        row = {"minute": index + 1, **summarize(group)}
        row["rps"] = round(len(group) / length, 1) if length > 0 else 0.0
        rows.append(row)
    return rows


def verdict(
    samples: list[tuple[float, str, int, float]],
    start: float,
    seconds: float,
    target_rps: float,
) -> dict:
    """Pass or fail, with the figures behind it and the reasons for a failure.

    Rising latency compares the reads' p99 over the first and the last `WINDOW_SECONDS` (or
    halves, for a run shorter than two windows).
    """
    window = min(WINDOW_SECONDS, seconds / 2)
    early = [ms for when, kind, _, ms in samples if kind != "write" and when - start < window]
    late = [
        ms for when, kind, _, ms in samples if kind != "write" and when - start >= seconds - window
    ]
    early_p99, late_p99 = percentile(early, 99), percentile(late, 99)
    errors = sum(1 for s in samples if is_error(s[2]))
    achieved = len(samples) / seconds if seconds > 0 else 0.0
    reasons = []
    if errors:
        statuses = sorted({s[2] for s in samples if is_error(s[2])})
        reasons.append(f"{errors} failed requests (statuses {statuses}; 0 = no response)")
    if not early or not late:
        reasons.append("no read samples in the first or the last window")
    elif late_p99 > max(RISE_LIMIT * early_p99, early_p99 + RISE_SLACK_MS):
        reasons.append(
            f"rising latency: read p99 {late_p99:.1f} ms in the last {window:.0f} s against "
            f"{early_p99:.1f} ms in the first (limit {RISE_LIMIT}x, +{RISE_SLACK_MS:.0f} ms)"
        )
    if achieved < MIN_THROUGHPUT_SHARE * target_rps:
        reasons.append(
            f"throughput {achieved:.1f} req/s, under {MIN_THROUGHPUT_SHARE:.0%} of the "
            f"target {target_rps:.1f} req/s"
        )
    return {
        "passed": not reasons,
        "reasons": reasons,
        "errors": errors,
        "throttled": sum(1 for s in samples if s[2] == 429),
        "achieved_rps": round(achieved, 1),
        "window_seconds": window,
        "early_read_p99_ms": round(early_p99, 2),
        "late_read_p99_ms": round(late_p99, 2),
    }


def table(rows: list[dict], result: dict) -> str:
    lines = [
        f"{'minute':>6}{'req/s':>9}{'read p50':>10}{'read p99':>10}{'writes':>8}"
        f"{'write p99':>11}{'errors':>8}{'429':>6}"
    ]
    for row in rows:
        lines.append(
            f"{row['minute']:>6}{row['rps']:>9.1f}{row['read_p50_ms']:>10.2f}"
            f"{row['read_p99_ms']:>10.2f}{row['writes']:>8}{row['write_p99_ms']:>11.2f}"
            f"{row['errors']:>8}{row['throttled']:>6}"
        )
    outcome = "PASS" if result["passed"] else "FAIL: " + "; ".join(result["reasons"])
    lines.append(
        f"achieved {result['achieved_rps']} req/s; read p99 first/last "
        f"{result['window_seconds']:.0f} s: {result['early_read_p99_ms']} / "
        f"{result['late_read_p99_ms']} ms; errors {result['errors']}, 429 {result['throttled']}"
    )
    lines.append(f"verdict: {outcome}")
    return "\n".join(lines)


# --- Running it: locust's venv, the editors' token, gunicorn, locust -----------------------


def ensure_locust() -> Path:
    """var/locust-venv/bin/locust, (re)installed when bench/requirements-load.txt changed."""
    locust = LOCUST_VENV / "bin" / "locust"
    stamp = LOCUST_VENV / "requirements-load.txt"
    wanted = REQUIREMENTS.read_text()
    if locust.exists() and stamp.exists() and stamp.read_text() == wanted:
        return locust
    log(f"installing locust into {LOCUST_VENV.relative_to(REPO)}")
    subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)
    pip = [str(LOCUST_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--disable-pip-version-check", "-r", str(REQUIREMENTS)], check=True)
    stamp.write_text(wanted)
    return locust


SETUP_SCRIPT = """
import json
from django.contrib.auth.models import Group, User
from django.db.models import Count, Q
from articles.models import Author, Section
from tagging.models import TopicTag
from newsroom.accounts.services import api_token_create
user, _ = User.objects.get_or_create(username="bench.editor")
user.set_unusable_password()
user.is_active = True
user.save()
user.groups.add(Group.objects.get(name="Editor"))
# A new key each run: keys are stored only as digests.
user.api_tokens.filter(name="bench").delete()
_, key = api_token_create(user=user, name="bench")
live = Q(articles__status="published")
authors = Author.objects.annotate(n=Count("articles", filter=live)).filter(n__gt=0)
tags = TopicTag.objects.annotate(n=Count("tagged_articles")).filter(n__gt=0)
print(json.dumps({
    "token": key,
    "section": Section.objects.order_by("id").values_list("slug", flat=True)[0],
    "authors": list(authors.order_by("-n", "id").values_list("slug", flat=True)[:20]),
    "tags": list(tags.order_by("-n", "id").values_list("slug", flat=True)[:20]),
    "tag_names": list(tags.order_by("-n", "id").values_list("name", flat=True)[:5]),
}))
"""


def django_json(script: str, env: dict[str, str]):
    """Run `script` in `manage.py shell` against the benchmark database; its last line of
    output, as JSON (bench/run.py uses it too)."""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def editor_setup(env: dict[str, str]) -> dict:
    """The `bench.editor` user (Editor group) with its token, and slugs to read and write."""
    return django_json(SETUP_SCRIPT, env)


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            # Another server there would answer the readiness probe and take the load.
            raise SystemExit(f"127.0.0.1:{port} is already in use: set BENCH_PORT")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            str(REPO / "gunicorn.conf.py"),
            "-w",
            "2",
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "newsroom.wsgi:application",
        ],
        env=env,
        cwd=REPO,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    url = f"http://127.0.0.1:{port}/api/v1/articles/?page_size=1"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited early")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - localhost
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    stop(server)
    raise SystemExit(f"gunicorn did not answer {url}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_locust(
    locust: Path,
    env: dict[str, str],
    port: int,
    users: int,
    seconds: float,
    output: Path,
    *,
    spawn_seconds: int = 5,
) -> None:
    """Locust headless for `seconds` with `users` (editors first, all started within
    `spawn_seconds`), its summary in `output`."""
    cmd = [
        str(locust),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--only-summary",
        "--host",
        f"http://127.0.0.1:{port}",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, math.ceil(users / spawn_seconds))),
        "--run-time",
        f"{max(1, round(seconds))}s",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
    ]
    log(" ".join(cmd))
    with output.open("w") as out:
        subprocess.run(cmd, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, check=False)


def recorded(path: Path, log_path: Path) -> list[tuple[float, str, int, float]]:
    samples = read_samples(path) if path.exists() else []
    if not samples:
        raise SystemExit(f"locust recorded no request; see {log_path}")
    return samples


def run_load_test(
    *, env: dict[str, str], params: dict[str, str], port: int, results: Path, workdir: Path
) -> int:
    """Run the load test against the bench database; add it to `results`; 0 if it passed."""
    minutes = float(os.environ.get("BENCH_LOAD_MINUTES", "10"))
    if minutes <= 0:
        raise SystemExit("BENCH_LOAD_MINUTES must be positive (0 skips the load test)")
    seconds = minutes * 60
    fixed = float(os.environ.get("BENCH_LOAD_RPS") or 0)
    summary = json.loads(results.read_text())
    peaks = {row["endpoint"]: row["rps"] for row in summary["rows"]}
    locust = ensure_locust()
    setup = editor_setup(env)
    server_env = {
        **env,
        "API_WRITE_THROTTLE_RATE": "100000000/min",
        # Publishing queues background work; keep its messages in this run's directory
        # (no worker runs during the load test).
        "CELERY_BROKER_URL": "filesystem://",
        "NEWSROOM_VAR_DIR": str(workdir / "var"),
    }
    (workdir / "var" / "static").mkdir(parents=True, exist_ok=True)
    locust_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LOAD_SLUGS_FILE": params["slugs_file"],
        "LOAD_WORD": params["word"],
        "LOAD_SETUP": json.dumps(setup),
        "LOAD_MIX": json.dumps(MIX),
    }
    samples_path = workdir / "load-samples.csv"
    calibration_path = workdir / "load-calibration.csv"
    for path in (samples_path, calibration_path):
        path.unlink(missing_ok=True)
    calibration = None
    server = start_server(server_env, port)
    try:
        if not fixed:
            # The editors' workflow at full speed: the write peak that E1-E4 do not measure.
            run_locust(
                locust,
                {
                    **locust_env,
                    "LOAD_SAMPLES": str(calibration_path),
                    "LOAD_PER_READER": "1",
                    "LOAD_PER_EDITOR": "0",
                    "LOAD_EDITORS": str(CALIBRATION_EDITORS),
                },
                port,
                CALIBRATION_EDITORS,
                CALIBRATION_SECONDS,
                workdir / "locust-calibration.log",
                spawn_seconds=1,
            )
            calibration = summarize(recorded(calibration_path, workdir / "locust-calibration.log"))
            done = calibration["writes"] - calibration["errors"]
            calibration["rps"] = round(done / CALIBRATION_SECONDS, 1)
            if calibration["errors"] or not done:
                raise SystemExit(f"the editors' writes failed: {calibration}")
            peaks["writes"] = calibration["rps"]
        peak = mix_peak(peaks) if not fixed else None
        pacing = plan(fixed or TARGET_SHARE * peak)
        source = "BENCH_LOAD_RPS" if fixed else f"{TARGET_SHARE:.0%} of the mix peak {peak:.1f}"
        log(
            f"target {pacing['target_rps']} req/s ({source}; writes alone peaked at "
            f"{peaks.get('writes', '?')}/s) for {minutes:g} min: {pacing['readers']} readers at "
            f"{pacing['per_reader']:.2f}/s, {pacing['editors']} editors at "
            f"{pacing['per_editor']:.2f}/s"
        )
        run_locust(
            locust,
            {
                **locust_env,
                "LOAD_SAMPLES": str(samples_path),
                "LOAD_PER_READER": str(pacing["per_reader"]),
                "LOAD_PER_EDITOR": str(pacing["per_editor"]),
                "LOAD_EDITORS": str(pacing["editors"]),
            },
            port,
            pacing["readers"] + pacing["editors"],
            seconds,
            workdir / "locust.log",
        )
    finally:
        stop(server)
    samples = recorded(samples_path, workdir / "locust.log")
    start = samples[0][0]
    rows = per_minute(samples, start, seconds)
    result = verdict(samples, start, seconds, pacing["target_rps"])
    summary["load"] = {
        "minutes": minutes,
        "mix_percent": MIX,
        "mix_peak_rps": round(peak, 1) if peak else None,
        "write_calibration": calibration,
        "target_from": source,
        "plan": pacing,
        **result,
        "per_minute": rows,
        "total": summarize(samples),
        "samples": str(samples_path.relative_to(REPO)),
    }
    results.write_text(json.dumps(summary, indent=1))
    print()
    print(
        f"load test (L): {minutes:g} min at {pacing['target_rps']} req/s ({source}), "
        f"{MIX['write']} % writes by {pacing['editors']} editor(s)"
    )
    print(table(rows, result))
    print(f'written: {results.relative_to(REPO)} ("load")')
    return 0 if result["passed"] else 1
