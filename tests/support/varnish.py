"""A Varnish of the tests' own on 127.0.0.1, with the repository's VCL
(deploy/varnish/newsroom.vcl) in front of one backend port, or of several web nodes behind a
round-robin director (`make cluster`, scripts/cluster/). Fails loudly when varnishd or the
xkey vmod is missing (Debian: varnish, varnish-modules)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.support import BASE_DIR

VCL = BASE_DIR / "deploy" / "varnish" / "newsroom.vcl"
BACKEND = """backend default {
    .host = "127.0.0.1";
    .port = "8000";
}
"""
# Several nodes: a health probe each, a round-robin director, a fetch that failed (a node
# killed mid-request) tried again on the next node, and `X-Newsroom-Node` naming the node that
# built an answer. A request header of the same name sends a miss to that node.
DIRECTOR = """import directors;

probe node_probe {{
    .url = "/api/v1/sections/";
    .interval = 1s;
    .timeout = 2s;
    .window = 3;
    .threshold = 2;
}}
{backends}
sub vcl_init {{
    new nodes = directors.round_robin();
{adds}}}

sub vcl_recv {{
    set req.backend_hint = nodes.backend();
{pins}}}

sub vcl_backend_error {{
    if (bereq.retries < 2) {{
        return (retry);
    }}
}}

sub vcl_backend_response {{
    set beresp.http.X-Newsroom-Node = beresp.backend.name;
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def vcl_text(backends: dict[str, int]) -> str:
    """The shipped VCL with its backend replaced: `{"default": port}`, or several named nodes
    behind a director."""
    text = VCL.read_text()
    assert BACKEND in text, "deploy/varnish/newsroom.vcl's backend block changed"
    if list(backends) == ["default"]:
        return text.replace('.port = "8000";', f'.port = "{backends["default"]}";')
    director = DIRECTOR.format(
        backends="".join(
            f'backend {name} {{ .host = "127.0.0.1"; .port = "{port}"; .probe = node_probe; }}\n'
            for name, port in backends.items()
        ),
        adds="".join(f"    nodes.add_backend({name});\n" for name in backends),
        pins="".join(
            f'    if (req.http.X-Newsroom-Node == "{name}") {{ set req.backend_hint = {name}; }}\n'
            for name in backends
        ),
    )
    return text.replace(BACKEND, director)


class Varnish:
    def __init__(
        self,
        *,
        workdir: Path,
        backend_port: int | None = None,
        nodes: dict[str, int] | None = None,
        port: int | None = None,
    ) -> None:
        varnishd = shutil.which("varnishd") or "/usr/sbin/varnishd"
        if not Path(varnishd).exists():
            raise RuntimeError("varnishd is missing: apt-get install varnish varnish-modules")
        vcl = workdir / "newsroom.vcl"
        vcl.write_text(vcl_text(nodes or {"default": backend_port}))
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.name = str(workdir / "varnish")
        self.process = subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
            [
                varnishd, "-F", "-j", "none", "-f", str(vcl), "-a", f"127.0.0.1:{self.port}",
                "-n", self.name, "-s", "malloc,32m", "-T", "none",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode(errors="replace")
                raise RuntimeError(f"varnishd exited with {self.process.returncode}:\n{output}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("varnishd did not listen within 30 s")

    def counters(self, *names: str) -> dict[str, int]:
        """Varnish's own counters (`varnishstat`), e.g. `counters("MAIN.cache_hit")`."""
        result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [shutil.which("varnishstat") or "/usr/bin/varnishstat", "-n", self.name, "-1", "-j"]
            + [arg for name in names for arg in ("-f", name)],
            capture_output=True, text=True, timeout=10, check=True,
        )  # fmt: skip
        data = json.loads(result.stdout)
        counters = data.get("counters", data)
        return {name: int(counters[name]["value"]) for name in names}

    def all_counters(self) -> str:
        """Every counter of Varnish's, as `varnishstat -1` prints them (name, value, rate)."""
        return subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [shutil.which("varnishstat") or "/usr/bin/varnishstat", "-n", self.name, "-1"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout  # fmt: skip

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
