#!/usr/bin/env bash
# Fuzz the public API from its own OpenAPI schema with schemathesis (docs/reliability.md, tier F).
# The write API (/api/v1/manage/, token auth) is left out: it has its own tests in
# tests/articles/api/test_manage_*.py, and an anonymous fuzzer would only ever see 401s.
#
# Starts gunicorn with production settings on 127.0.0.1 against a fresh database holding the
# demo content plus a draft with a unique marker, runs every schemathesis check and our own
# (scripts/schemathesis_hooks.py), then stops the server. Exit status is schemathesis'.
#
#   FUZZ_DATABASE_URL  database to (re)create and use; default: a SQLite file in a temp folder
#   FUZZ_PORT          port for gunicorn (default 8765)
#   FUZZ_MAX_EXAMPLES  examples per operation and phase (default 40)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
PORT="${FUZZ_PORT:-8765}"
WORKDIR="$(mktemp -d)"
export NEWSROOM_VAR_DIR="$WORKDIR"
export DATABASE_URL="${FUZZ_DATABASE_URL:-sqlite:///$WORKDIR/fuzz.sqlite3}"
export DEBUG=0 SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0
export SECRET_KEY="fuzz-only-$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
export ALLOWED_HOSTS=127.0.0.1 SITE_URL="http://127.0.0.1:$PORT"
export API_ANON_THROTTLE_RATE="100000/min"
export CELERY_TASK_ALWAYS_EAGER=1
export FUZZ_DRAFT_MARKER="fuzzdraft$(date +%s)marker"

server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$WORKDIR"
}
trap cleanup EXIT

if [[ "$DATABASE_URL" == postgres* ]]; then
    db_name="${DATABASE_URL##*/}"
    psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS \"$db_name\"" \
        -c "CREATE DATABASE \"$db_name\"" >/dev/null
fi

$BIN/python manage.py migrate --noinput -v 0
$BIN/python manage.py seed_demo --force >/dev/null
$BIN/python manage.py shell -c "
from articles.models import Article, Section
from tagging.models import TopicTag
marker = '$FUZZ_DRAFT_MARKER'
article = Article.objects.create(
    headline=f'Draft {marker}', slug=marker, dek=marker, body=f'<p>{marker}</p>',
    section=Section.objects.first(),
)
article.tags.add(TopicTag.objects.create(name=marker, slug=marker))
"
$BIN/python manage.py collectstatic --noinput -v 0

$BIN/gunicorn -c gunicorn.conf.py newsroom.wsgi --bind "127.0.0.1:$PORT" --workers 2 --log-level warning &
server_pid=$!

SCHEMATHESIS_HOOKS=scripts.schemathesis_hooks PYTHONPATH=. $BIN/st run \
    "http://127.0.0.1:$PORT/api/schema/" \
    --wait-for-schema 30 \
    --exclude-path-regex '^/api/v1/manage/' \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "${FUZZ_MAX_EXAMPLES:-40}" \
    --generation-database none \
    --request-timeout 10 \
    --workers 2 \
    --seed 20261125
