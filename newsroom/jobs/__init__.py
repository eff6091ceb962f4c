"""Background work recorded in the database (an outbox), carried out by Celery.

Apps register their kinds of work (`newsroom.jobs.registry`); this home knows no app."""
