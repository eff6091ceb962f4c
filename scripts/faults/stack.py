"""The processes a fault scenario runs against, all on 127.0.0.1 and all children of ours.

A private Redis, gunicorn, Celery workers and beat (each in its own process group, so one
`killpg` stops a worker with its pool), and a webhook sink thread. `Stack.close()` stops
everything that was started; `run.py` calls it in a `finally`.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, *, timeout: float, interval: float = 0.2):
    """Poll `condition` until it returns something truthy; that value, or None at timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


class Process:
    """A child in its own session, logging to a file; `stop()` signals the whole group."""

    def __init__(self, name: str, command: list[str], *, env: dict, log_dir: Path) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - fixed command lines built here
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def signal_group(self, sig: int) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        if self.alive():
            self.signal_group(sig)
            self.signal_group(signal.SIGCONT)  # a paused group must wake to act on it
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGKILL)
                self.process.wait(timeout=10)
        # A stopped (SIGSTOP) group left behind would never exit: make sure it is gone.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        self.log.close()


class Sink:
    """A webhook receiver: logs every request and answers from a per-path script.

    `script(path, [500, 500, "hang", (429, 2), 200])`: each request to `path` takes the next
    answer; "hang" sleeps past the sender's timeout; (status, retry_after) adds Retry-After.
    Without a script (or once it is used up) the answer is 200.
    """

    def __init__(self, *, hang_seconds: float) -> None:
        self.entries: list[dict] = []
        self.scripts: dict[str, list] = {}
        self.lock = threading.Lock()
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with sink.lock:
                    script = sink.scripts.get(self.path)
                    answer = script.pop(0) if script else 200
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = {}
                entry = {
                    "at": time.time(),
                    "path": self.path,
                    "webhook_id": self.headers.get("Webhook-Id"),
                    "type": payload.get("type"),
                    "article": (payload.get("data") or {}).get("id"),
                    "answer": answer,
                }
                with sink.lock:
                    sink.entries.append(entry)
                if answer == "hang":
                    time.sleep(hang_seconds)
                    answer = 200
                retry_after = None
                if isinstance(answer, tuple):
                    answer, retry_after = answer
                try:
                    self.send_response(answer)
                    if retry_after is not None:
                        self.send_header("Retry-After", str(retry_after))
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender gave up (timeout): that is the point of "hang"

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def script(self, path: str, answers: list) -> None:
        with self.lock:
            self.scripts[path] = list(answers)

    def log(self, path: str | None = None) -> list[dict]:
        with self.lock:
            return [e for e in self.entries if path is None or e["path"] == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Stack:
    """Redis, gunicorn, workers, beats and the sink, started and stopped on demand."""

    def __init__(self, *, workdir: Path, database_url: str, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.log_dir = workdir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.redis_dir = workdir / "redis"
        self.redis_dir.mkdir(exist_ok=True)
        self.redis_port = free_port()
        self.web_port = free_port()
        self.database_url = database_url
        self.env = env
        self.redis: Process | None = None
        self.web: Process | None = None
        self.workers: list[Process] = []
        self.beats: list[Process] = []
        self.counter = 0
        self.sink: Sink | None = None

    @property
    def broker_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def redis_client(self):
        import redis

        return redis.Redis(port=self.redis_port, host="127.0.0.1", socket_connect_timeout=2)

    def _name(self, kind: str) -> str:
        self.counter += 1
        return f"{kind}-{self.counter}"

    # --- Redis -------------------------------------------------------------------------------

    def start_redis(self, *, appendonly: bool = True) -> None:
        command = [
            "redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "yes" if appendonly else "no",
            "--dir", str(self.redis_dir), "--daemonize", "no",
        ]  # fmt: skip
        self.redis = Process(self._name("redis"), command, env=self.env, log_dir=self.log_dir)

        def ping():
            try:
                return self.redis_client().ping()
            except Exception:  # noqa: BLE001 - not up yet
                return False

        if not wait_until(ping, timeout=15):
            raise RuntimeError(f"redis-server did not start:\n{self.redis.output()[-2000:]}")

    def stop_redis(self) -> None:
        """SIGTERM: Redis writes its append-only file (when on) and exits, as on SHUTDOWN."""
        if self.redis:
            self.redis.stop(signal.SIGTERM)
            self.redis = None

    # --- Web ---------------------------------------------------------------------------------

    def start_web(self) -> None:
        command = [
            str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "newsroom.wsgi",
            "--bind", f"127.0.0.1:{self.web_port}",
            "--workers", "2", "--timeout", "30", "--log-level", "warning",
        ]  # fmt: skip
        self.web = Process(self._name("web"), command, env=self.env, log_dir=self.log_dir)
        if not wait_until(lambda: self.get("/api/v1/articles/")[0] == 200, timeout=30):
            raise RuntimeError(f"gunicorn did not answer:\n{self.web.output()[-2000:]}")

    def get(self, path: str) -> tuple[int | None, str]:
        url = f"http://127.0.0.1:{self.web_port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                return response.status, response.read(300).decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(300).decode(errors="replace")
        except OSError as exc:
            return None, str(exc)

    # --- Workers and beat --------------------------------------------------------------------

    def start_worker(self, *, concurrency: int = 2) -> Process:
        name = self._name("worker")
        command = [
            str(BIN / "celery"), "-A", "newsroom", "worker",
            "-Q", "default,media,publishing,delivery", "--loglevel", "info",
            "--pool", "prefork", "--concurrency", str(concurrency),
            "--hostname", f"{name}@127.0.0.1", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        worker = Process(name, command, env=self.env, log_dir=self.log_dir)
        self.workers.append(worker)
        return worker

    def start_workers(self, count: int = 2) -> list[Process]:
        started = [self.start_worker() for _ in range(count)]
        for worker in started:
            ready = wait_until(lambda w=worker: "ready." in w.output() or not w.alive(), timeout=45)
            if not ready or not worker.alive():
                raise RuntimeError(f"{worker.name} did not start:\n{worker.output()[-3000:]}")
        return started

    def stop_workers(self, sig: int = signal.SIGTERM) -> None:
        for worker in self.workers:
            worker.stop(sig)
        self.workers = []

    def start_beat(self) -> Process:
        name = self._name("beat")
        command = [
            str(BIN / "celery"), "-A", "newsroom", "beat", "--loglevel", "info",
            "--schedule", str(self.workdir / f"{name}-schedule"),
        ]  # fmt: skip
        beat = Process(name, command, env=self.env, log_dir=self.log_dir)
        self.beats.append(beat)
        if not wait_until(
            lambda: "beat: Starting" in beat.output() or not beat.alive(), timeout=30
        ):
            raise RuntimeError(f"{name} did not start:\n{beat.output()[-2000:]}")
        return beat

    def stop_beats(self) -> None:
        for beat in self.beats:
            beat.stop(signal.SIGTERM)
        self.beats = []

    def pause(self, processes: list[Process]) -> None:
        for process in processes:
            process.signal_group(signal.SIGSTOP)

    def resume(self, processes: list[Process]) -> None:
        for process in processes:
            process.signal_group(signal.SIGCONT)

    def close(self) -> None:
        errors = []
        for stop in (self.stop_beats, self.stop_workers):
            try:
                stop()
            except Exception as exc:  # noqa: BLE001 - keep stopping the rest
                errors.append(exc)
        for process in (self.web, self.redis):
            if process:
                try:
                    process.stop()
                except Exception as exc:  # noqa: BLE001
                    errors.append(exc)
        if self.sink:
            self.sink.close()
        if errors:
            print(f"While stopping: {errors}", file=sys.stderr)
