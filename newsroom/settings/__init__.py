"""
Settings for newsroom, read from the environment.

A fresh checkout runs with no environment at all: SQLite in ./var, media in ./var/media and a
Celery broker that needs no server. Production switches behaviour only through environment
variables; `.env.example` documents every one of them, `docs/configuration.md` explains them.

One module per concept, each importing what it uses of the others: `environment` (paths and
the readers of variables), `core` (Django's apps, the request path, languages, security,
e-mail, logging), `database`, `files` (static, media, upload limits), `content` (publishing,
tags, the WordPress import), `api`, `http_cache` (the cache or CDN in front) and `jobs`.
"""

from newsroom.settings.api import *  # noqa: F403
from newsroom.settings.content import *  # noqa: F403
from newsroom.settings.core import *  # noqa: F403
from newsroom.settings.database import *  # noqa: F403
from newsroom.settings.environment import BASE_DIR, VAR_DIR  # noqa: F401
from newsroom.settings.files import *  # noqa: F403
from newsroom.settings.http_cache import *  # noqa: F403
from newsroom.settings.jobs import *  # noqa: F403
