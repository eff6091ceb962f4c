"""DRF plumbing every app's API uses: errors, query parameters, pagination, throttling,
content negotiation, the JSON renderer and the OpenAPI error documentation.

Every error the API gives has one shape (docs/reliability.md, the rules for every case)::

    {"error": {"code": "invalid_parameter", "message": "…", "field": "page_size"},
     "request_id": "…"}

Clients branch on `code`; `message` is for people; `field` names the input at fault.
`request_id` is the `X-Request-ID` header every response has
(`newsroom.http.middleware.RequestIdMiddleware`): quoted in a report, it finds the request's
log lines. Nothing here imports an app.
"""
