# ruff: noqa: S603, S607, S310 - a developer script: fixed local commands
"""What `make bench` starts and measures: its databases, gunicorn for our app, the shared
ceiling app and the floor, wrk through the shared harness, and the conditional-GET run of E5."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "bench"
API_BENCH = SHARED / "harness" / "api_bench.py"
ENDPOINTS = REPO / "bench" / "endpoints" / "newsroom.txt"
CEILING = SHARED / "ceiling"
CEILING_ENDPOINTS = SHARED / "endpoints" / "ceiling.txt"
RESULTS = REPO / "bench" / "results"
PYTHON = sys.executable
PRODUCTION_VENV = REPO / "var" / "bench" / "venv-production"
SEARCH_WORD = "pemerintah"  # common Indonesian word in seed_bench's own bodies


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def run(cmd: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    log(" ".join(str(c) for c in cmd))
    return subprocess.run(cmd, env=env, check=True, cwd=REPO, **kwargs)


def psql_admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def recreate_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"unexpected database name {name!r}")
    psql_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql_admin(url, f'CREATE DATABASE "{name}"')


def wait_listening(port: int, proc: subprocess.Popen, seconds: float = 30) -> None:
    """Until 127.0.0.1:`port` accepts connections (an app that answers no 200 at once)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited early")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"nothing listens on port {port}")


def wait_ready(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited early")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - localhost
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url}")


def wrk_conditional(base: str, path: str, etag: str, duration: int) -> dict[str, float]:
    """E5: wrk with If-None-Match; parses req/s, p50, p99 (ms), non-2xx/3xx and socket errors."""
    cmd = ["wrk", "-t2", "-c8", f"-d{duration}s", "--latency", "-H", f"If-None-Match: {etag}"]
    out = subprocess.run([*cmd, base + path], check=True, capture_output=True, text=True).stdout

    def ms(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            return float("nan")
        value, unit = float(match[1]), match[2]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad[1]) if bad else 0) + (sum(int(g) for g in sock.groups()) if sock else 0)
    return {
        "rps": float(rps[1]) if rps else 0.0,
        "p50": ms("50"),
        "p99": ms("99"),
        "errors": errors,
    }


def etag_status(url: str) -> tuple[str, int]:
    with urllib.request.urlopen(url) as response:  # noqa: S310 - localhost
        etag = response.headers.get("ETag", "")
    request = urllib.request.Request(url, headers={"If-None-Match": etag})  # noqa: S310
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310
            return etag, response.status
    except urllib.error.HTTPError as error:
        return etag, error.code


def worker_args() -> tuple[str, ...]:
    """gunicorn's worker class: sync as the anchors ran it (a new connection per request), or
    gthread (BENCH_WORKER_CLASS=gthread: BENCH_THREADS threads per worker, default 4,
    connections kept alive)."""
    worker_class = os.environ.get("BENCH_WORKER_CLASS", "sync")
    if worker_class == "sync":
        return ("-k", "sync")
    if worker_class == "gthread":
        return ("-k", "gthread", "--threads", os.environ.get("BENCH_THREADS", "4"))
    raise SystemExit(f"BENCH_WORKER_CLASS must be sync or gthread, not {worker_class!r}")


def production_python(env: dict[str, str]) -> str:
    """The Python of a virtualenv of `requirements.txt` alone, as production installs it
    (`var/bench/venv-production`, made or brought up to date here). `make bench` serves our
    app and the floor from it, so a worker holds what a production worker holds: the
    development virtualenv also has what tests and tools need, and DRF imports `requests`
    and `pygments` whenever they are installed (5.3 MiB a worker, docs/performance.md,
    "Fourth round: worker memory"). `BENCH_DEV_SERVER=1` serves from the development one."""
    if os.environ.get("BENCH_DEV_SERVER") == "1":
        return PYTHON
    python = PRODUCTION_VENV / "bin" / "python"
    installed = PRODUCTION_VENV / ".installed"
    requirements = REPO / "requirements.txt"
    if not python.exists():
        run([PYTHON, "-m", "venv", str(PRODUCTION_VENV)], env)
    if not installed.exists() or installed.stat().st_mtime < requirements.stat().st_mtime:
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        run([*pip, "-r", str(requirements)], env)
        installed.touch()
    return str(python)


def start_gunicorn(
    app: str, port: int, env: dict[str, str], chdir: Path = REPO, python: str = PYTHON
):
    """The production server as the anchors run it: gunicorn, 2 workers, 127.0.0.1, from the
    virtualenv of `python`."""
    return subprocess.Popen(
        [
            str(Path(python).with_name("gunicorn")),
            *("-c", str(REPO / "gunicorn.conf.py"), "-w", "2", *worker_args()),
            *("-b", f"127.0.0.1:{port}", "--chdir", str(chdir), app),
        ],
        env=env,
        cwd=REPO,
        start_new_session=True,
    )


def measure(
    base: str,
    endpoints: Path,
    params: dict[str, str],
    server: subprocess.Popen,
    *,
    runs: str,
    duration: int,
    label: str,
    raw_json: Path,
    env: dict[str, str],
) -> None:
    """E1-E4 with ../shared/bench/harness/api_bench.py (wrk), the same tag, word and slugs."""
    run(
        [
            PYTHON,
            str(API_BENCH),
            base,
            str(endpoints),
            "--slugs",
            params["slugs_file"],
            "--var",
            f"tag={params['tag']}",
            "--var",
            f"word={params['word']}",
            "--pid",
            str(server.pid),
            "--runs",
            runs,
            "--duration",
            str(duration),
            "--label",
            label,
            "--json",
            str(raw_json),
        ],
        env,
    )


def dataset_for_ceiling(articles: str) -> str:
    """A gen_dataset.py output directory of `articles` articles (generated once, then kept)."""
    directory = REPO / "var" / "bench" / f"data-{articles}"
    if not (directory / "bench.json").is_file():
        run(
            [PYTHON, str(SHARED / "gen_dataset.py"), "--articles", articles, "--out", directory],
            dict(os.environ),
        )
    return str(directory)


def bench_ceiling(
    *,
    url: str,
    jsonl: str,
    params: dict[str, str],
    port: int,
    runs: str,
    duration: int,
    workdir: Path,
    env: dict[str, str],
) -> dict:
    """Load the same JSON Lines into the ceiling app's schema, serve it with gunicorn (2
    workers, as ours) and measure E1-E4 with the same harness, slugs, tag and word."""
    ceiling_url = urlsplit(url)._replace(path=urlsplit(url).path + "_ceiling").geturl()
    recreate_database(ceiling_url)
    run([PYTHON, str(CEILING / "load_ceiling.py"), jsonl, ceiling_url], env)
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(
        "app:application",
        port,
        {
            **env,
            "CEILING_DSN": ceiling_url,
            "CEILING_BASE_URL": base,
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        chdir=CEILING,
    )
    raw_json = workdir / "ceiling.json"
    try:
        wait_ready(base + "/latest?limit=1", server)
        measure(
            base,
            CEILING_ENDPOINTS,
            params,
            server,
            runs=runs,
            duration=duration,
            label="ceiling",
            raw_json=raw_json,
            env=env,
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return json.loads(raw_json.read_text())


def bench_floor(*, base_port: int, path: str, duration: int, env: dict[str, str]) -> dict:
    """E5's floor: bench/floor.py (a bare WSGI app answering 304, no framework, no database)
    under the same gunicorn and the same wrk command as E5."""
    base = f"http://127.0.0.1:{base_port}"
    server = start_gunicorn(
        "floor:application", base_port, env, chdir=REPO / "bench", python=production_python(env)
    )
    try:
        wait_listening(base_port, server)
        return wrk_conditional(base, path, '"floor"', duration)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found
