# The Celery app (newsroom/celery.py) is not imported here: every task module imports it, so
# tasks bind to it, and a web process that sends no work never loads Celery
# (docs/performance.md, "Worker memory"). `celery -A newsroom` finds `newsroom.celery`.
