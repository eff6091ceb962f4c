"""A Varnish of the tests' own on 127.0.0.1, with the repository's VCL
(deploy/varnish/newsroom.vcl) in front of a given backend port. Fails loudly when varnishd or
the xkey vmod is missing (Debian: varnish, varnish-modules)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.support import BASE_DIR

VCL = BASE_DIR / "deploy" / "varnish" / "newsroom.vcl"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Varnish:
    def __init__(self, *, backend_port: int, workdir: Path) -> None:
        varnishd = shutil.which("varnishd") or "/usr/sbin/varnishd"
        if not Path(varnishd).exists():
            raise RuntimeError("varnishd is missing: apt-get install varnish varnish-modules")
        vcl = workdir / "newsroom.vcl"
        text = VCL.read_text()
        assert '.port = "8000";' in text
        vcl.write_text(text.replace('.port = "8000";', f'.port = "{backend_port}";'))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
            [
                varnishd, "-F", "-j", "none", "-f", str(vcl), "-a", f"127.0.0.1:{self.port}",
                "-n", str(workdir / "varnish"), "-s", "malloc,32m", "-T", "none",
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

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
