"""The cluster run's clients, over real HTTP: an editor on the write API of a web node (moving to
the next node when its node stops answering, as behind a load balancer), and front-end readers
through Varnish (keep-alive connections, each answer counted by status and X-Cache)."""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests


class EditorError(RuntimeError):
    pass


class Editor:
    """Writes through `/api/v1/manage/` on `nodes[0]`; a node that does not answer (connection
    refused or reset) is dropped and the request sent to the next one."""

    def __init__(self, *, nodes: dict[str, str], token: str) -> None:
        self.nodes = dict(nodes)
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"
        self.failovers: list[str] = []
        self.lock = threading.Lock()

    @property
    def node(self) -> str:
        return next(iter(self.nodes))

    def call(self, method: str, path: str, *, expect=(200, 201), **kwargs) -> requests.Response:
        while True:
            with self.lock:
                if not self.nodes:
                    raise EditorError("no web node answers")
                node, base = next(iter(self.nodes.items()))
            try:
                answer = self.session.request(method, base + path, timeout=30, **kwargs)
            except requests.ConnectionError as exc:
                with self.lock:
                    if self.nodes.pop(node, None):
                        self.failovers.append(f"{node}: {exc.__class__.__name__}")
                if method in ("PATCH", "POST") and "/manage/articles/" in path:
                    # The node may have saved before it died: the caller checks with a GET.
                    raise NodeLost(node) from exc
                continue
            if answer.status_code not in expect:
                raise EditorError(
                    f"{method} {path} on {node}: {answer.status_code} {answer.text[:500]}"
                )
            return answer

    def upload_photo(self, image: bytes, *, name: str, alt: str) -> int:
        answer = self.call(
            "POST",
            "/api/v1/manage/photos/",
            files={"image": (name, image, "image/jpeg")},
            data={"alt_text": alt, "credit": "Cluster run", "caption": alt},
        )
        return answer.json()["id"]

    def create(self, **fields) -> dict:
        """A draft; when the node died under the request, it is made again on the next node
        (a first copy it may have saved stays a draft, never published)."""
        try:
            return self.call("POST", "/api/v1/manage/articles/", json=fields).json()
        except NodeLost:
            return self.call("POST", "/api/v1/manage/articles/", json=fields).json()

    def get(self, article_id: int) -> dict:
        return self.call("GET", f"/api/v1/manage/articles/{article_id}/").json()

    def action(self, article_id: int, action: str) -> dict:
        """publish / unpublish; when the node died under the request, the article is read
        again and the action sent again only if it was not done."""
        try:
            return self.call("POST", f"/api/v1/manage/articles/{article_id}/{action}/").json()
        except NodeLost:
            current = self.get(article_id)
            if current["status"] == {"publish": "published", "unpublish": "unpublished"}[action]:
                return current
            return self.call("POST", f"/api/v1/manage/articles/{article_id}/{action}/").json()

    def update(self, article: dict, **fields) -> dict:
        """PATCH with If-Match; when the node died under it, the article is read again and the
        change sent again only if it was not saved."""
        try:
            return self.call(
                "PATCH",
                f"/api/v1/manage/articles/{article['id']}/",
                json=fields,
                headers={"If-Match": article["etag"]},
            ).json()
        except NodeLost:
            current = self.get(article["id"])
            if all(current.get(key) == value for key, value in fields.items()):
                return current
            return self.update(current, **fields)


class NodeLost(Exception):
    pass


@dataclass
class ReadStats:
    statuses: Counter = field(default_factory=Counter)
    cache: Counter = field(default_factory=Counter)
    nodes: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def hit_rate(self) -> float:
        answered = self.cache["HIT"] + self.cache["MISS"]
        return self.cache["HIT"] / answered if answered else 0.0


class ReadLoad:
    """Threads reading `paths()` through Varnish at about `rate` requests a second in all.
    Every answer other than 200 is an error; `take()` returns the figures since the last."""

    def __init__(self, *, base: str, paths, rate: float, threads: int = 4) -> None:
        self.host, _, port = base.removeprefix("http://").partition(":")
        self.port = int(port)
        self.paths = paths
        self.interval = threads / rate
        self.stats = ReadStats()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def start(self) -> ReadLoad:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> ReadStats:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=15)
        return self.take()

    def take(self) -> ReadStats:
        with self.lock:
            stats, self.stats = self.stats, ReadStats()
        return stats

    def _run(self) -> None:
        conn = None
        rng = random.Random()  # noqa: S311 - a read mix, not a secret
        while not self.stopping.is_set():
            started = time.monotonic()
            path = self.paths(rng)
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
                conn.request("GET", path)
                answer = conn.getresponse()
                answer.read()
                outcome = (answer.status, answer.headers.get("X-Cache", ""),
                           answer.headers.get("X-Newsroom-Node", ""))  # fmt: skip
            except (OSError, http.client.HTTPException) as exc:
                conn = None
                outcome = (None, "", "")
                error = f"{path}: {exc.__class__.__name__} {exc}"
            else:
                error = None if outcome[0] == 200 else f"{path}: {outcome[0]}"
            with self.lock:
                self.stats.statuses[outcome[0]] += 1
                self.stats.cache[outcome[1]] += 1
                if outcome[2]:
                    self.stats.nodes[outcome[2]] += 1
                if error:
                    self.stats.errors.append(error)
            self.stopping.wait(max(0.0, self.interval - (time.monotonic() - started)))


def varnish_get(base: str, path: str, *, node: str = "") -> tuple[int, dict, bytes]:
    """One GET through Varnish on a new connection; `node` sends a miss to that web node."""
    headers = {"X-Newsroom-Node": node} if node else {}
    answer = requests.get(base + path, headers=headers, timeout=10)
    return answer.status_code, dict(answer.headers), answer.content
