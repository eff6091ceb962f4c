"""gunicorn's configuration for newsroom: the limits on what a request may send.

gunicorn reads ./gunicorn.conf.py when started in this folder; `make bench`, `make faults`
and the production command in docs/operations.md pass it with `-c`. Workers, bind address
and timeouts stay on the command line.

A request line gunicorn refuses gets its own HTML page, before Django runs. So gunicorn's
limit is its maximum, and Django's `REQUEST_URI_MAX_LENGTH` (4096 by default) is the one
clients meet: a JSON 414 `uri_too_long` under /api/ (`newsroom.http.middleware`). The front
proxy refuses longer lines before gunicorn sees them (docs/operations.md).
"""

# Bytes of the request line (method, URL and protocol); 8190 is gunicorn's maximum.
limit_request_line = 8190
# Header fields per request, and bytes per header field (gunicorn's defaults, made explicit).
limit_request_fields = 100
limit_request_field_size = 8190
