# ruff: noqa: S311 - load generation, not security
"""Locust users of the L-tier load test; started by bench/load.py, which sets LOAD_* and reads
the samples file (one line per request: epoch,kind,status,ms).

Readers hit the public API in the MIX proportions at a constant pace each. Editors go through
the write API with a token: create a draft, edit it (If-Match), publish it, edit it live, and
unpublish every third one, one request per step at a constant pace (or, with
LOAD_PER_EDITOR=0, without pause: the write peak).
"""

import json
import os
import random

from locust import FastHttpUser, constant, constant_throughput, events, task

SETUP = json.loads(os.environ["LOAD_SETUP"])
MIX = json.loads(os.environ["LOAD_MIX"])
SLUGS = open(os.environ["LOAD_SLUGS_FILE"]).read().split()  # noqa: SIM115
WORD = os.environ["LOAD_WORD"]
SAMPLES = open(os.environ["LOAD_SAMPLES"], "a", buffering=1 << 16)  # noqa: SIM115


@events.request.add_listener
def record(name, response_time, response=None, start_time=0.0, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    SAMPLES.write(f"{start_time:.3f},{name},{status},{response_time:.2f}\n")


@events.quitting.add_listener
def close(**kwargs):
    SAMPLES.close()


class Reader(FastHttpUser):
    wait_time = constant_throughput(float(os.environ["LOAD_PER_READER"]))

    @task(MIX["list"])
    def latest(self):
        self.client.get("/api/v1/articles/?page_size=20", name="list")

    @task(MIX["detail"])
    def detail(self):
        self.client.get(f"/api/v1/articles/{random.choice(SLUGS)}/", name="detail")

    @task(MIX["tag"])
    def tag(self):
        self.client.get(f"/api/v1/articles/?tag={random.choice(SETUP['tags'])}", name="tag")

    @task(MIX["author"])
    def author(self):
        slug = random.choice(SETUP["authors"])
        self.client.get(f"/api/v1/authors/{slug}/articles/", name="author")

    @task(MIX["search"])
    def search(self):
        self.client.get(f"/api/v1/search/?q={WORD}", name="search")


class Editor(FastHttpUser):
    fixed_count = int(os.environ["LOAD_EDITORS"])
    abstract = fixed_count == 0
    pace = float(os.environ["LOAD_PER_EDITOR"])
    # 0: as fast as the server answers (bench/load.py measures the write peak that way).
    wait_time = constant_throughput(pace) if pace > 0 else constant(0)

    def on_start(self):
        self.steps = self.workflow()

    @task
    def step(self):
        next(self.steps)

    def send(self, method: str, path: str, body: dict, etag: str | None = None):
        """(id, ETag) of the article in the response, or None when the request failed."""
        headers = {"Authorization": f"Token {SETUP['token']}"}
        if etag:
            headers["If-Match"] = etag
        response = self.client.request(method, path, name="write", json=body, headers=headers)
        if response.status_code >= 400 or not response.headers.get("ETag"):
            return None
        return response.json()["id"], response.headers["ETag"]

    def workflow(self):
        serial = 0
        while True:
            serial += 1
            marker = f"{id(self):x}-{serial}"
            body = {
                "headline": f"Uji beban {WORD} {marker}",
                "section": SETUP["section"],
                "bylines": SETUP["authors"][:1],
                "dateline": "JAKARTA",
                "body": f"<p>Paragraf pertama {WORD}.</p><p>Paragraf kedua.</p>",
                "tags": SETUP["tag_names"][:2],
            }
            done = self.send("POST", "/api/v1/manage/articles/", body)
            yield
            for method, suffix, change in (
                ("PATCH", "", {"dek": f"Ringkasan {marker}."}),
                ("POST", "publish/", {}),
                ("PATCH", "", {"body": f"<p>Diperbarui {WORD}.</p><p>{marker}</p>"}),
                ("POST", "unpublish/", {}),
            ):
                if done is None or (suffix == "unpublish/" and serial % 3):
                    break
                article_id, etag = done
                path = f"/api/v1/manage/articles/{article_id}/{suffix}"
                done = self.send(method, path, change, etag)
                yield
