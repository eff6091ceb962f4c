"""The floor of a conditional GET: a bare WSGI app that answers every request 304 at once.

`make bench` serves it with the same gunicorn settings as the API (2 sync workers) and loads
it with the same wrk command as E5, so the table shows the most 304s per second this machine,
server and load generator can give, with no framework, database or ETag lookup at all.
"""


def application(environ, start_response):
    start_response("304 Not Modified", [("ETag", '"floor"'), ("Cache-Control", "max-age=60")])
    return [b""]
