"""A local S3-compatible server for the object storage tests: moto's server mode on a free
port of 127.0.0.1, started and stopped by the tests. A server that does not start raises with
its output: these tests never skip."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time

from tests.support.pgcluster import free_port
from tests.support.processes import run

ACCESS_KEY = "newsroom-test"
SECRET_KEY = "newsroom-test-secret"
REGION = "us-east-1"


class S3Server:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.output = tempfile.TemporaryFile()  # noqa: SIM115 - kept until stop()
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> S3Server:
        self.process = subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        self.output.seek(0)
        raise RuntimeError(f"moto's S3 server did not start on {self.url}:\n"
                           f"{self.output.read().decode(errors='replace')}")  # fmt: skip

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def bucket_env(self, bucket: str, public_url: str = "") -> dict[str, str]:
        """The environment that puts a newsroom process's media in `bucket` (created here)."""
        self.client().create_bucket(Bucket=bucket)
        env = {
            "MEDIA_STORAGE_BACKEND": "s3",
            "MEDIA_S3_BUCKET": bucket,
            "MEDIA_S3_ENDPOINT_URL": self.url,
            "MEDIA_S3_REGION": REGION,
            "MEDIA_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "MEDIA_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }
        if public_url:
            env["MEDIA_PUBLIC_URL"] = public_url
        return env

    def keys(self, bucket: str) -> set[str]:
        answer = self.client().list_objects_v2(Bucket=bucket)
        return {item["Key"] for item in answer.get("Contents", [])}


def storage_setting(env: dict[str, str]) -> dict:
    """STORAGES["default"] as newsroom/settings/files.py makes it from `env`, in a fresh process."""
    code = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES))"
    result = run(["-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "newsroom.settings"})
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return json.loads(result.stdout)["default"]
