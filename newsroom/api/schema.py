"""The OpenAPI schema's annotations of the views, applied when the schema is generated, and
its account of errors: the envelope and the answers every operation may give, added by a
drf-spectacular post-processing hook.

Nothing here imports drf-spectacular's schema class: a web worker imports this module with the
views and never generates the schema (docs/performance.md, "Worker memory").
"""

from __future__ import annotations

import inspect
import threading
from typing import Any

ANNOTATIONS = "_schema_annotations"
APPLIED = "_schema_annotations_applied"
_applying = threading.Lock()


def extend_schema(**kwargs: Any):
    """drf-spectacular's `extend_schema`, with the same arguments, kept on the view class or
    method and applied by `schema_annotations_apply` when the schema is first generated.

    drf-spectacular's own decorator subclasses the schema class (`AutoSchema`) where the view
    is defined, and that imports `django.test`, `unittest` and `jinja2` into every web
    worker, about 3.5 MiB that serving never uses. Decorators stack as drf-spectacular's
    do: bottom first.
    """

    def record(target):
        # The target's own list: a view class must not take over its base view's annotations
        # (drf-spectacular applies those to the base, and the subclass inherits the result).
        own = target.__dict__.get(ANNOTATIONS, ())
        setattr(target, ANNOTATIONS, (*own, kwargs))
        return target

    return record


def schema_annotations_apply(view: type) -> None:
    """Apply the `extend_schema` annotations recorded on `view`, its methods and its base
    views, in the order Python would have run drf-spectacular's decorators: a base view before
    the views derived from it, a class's methods before the class. Once per class."""
    from drf_spectacular.utils import extend_schema as spectacular_extend_schema

    with _applying:
        for cls in reversed(view.__mro__):
            own = cls.__dict__
            methods = [m for m in own.values() if inspect.isfunction(m) and ANNOTATIONS in vars(m)]
            if own.get(APPLIED) or not (ANNOTATIONS in own or methods):
                continue
            for method in methods:
                for kwargs in vars(method)[ANNOTATIONS]:
                    spectacular_extend_schema(**kwargs)(method)
            for kwargs in own.get(ANNOTATIONS, ()):
                spectacular_extend_schema(**kwargs)(cls)
            setattr(cls, APPLIED, True)


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "request_id"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable, for clients to branch on."},
                "message": {"type": "string", "description": "For people."},
                "field": {"type": "string", "description": "The input at fault, if any."},
            },
        },
        "request_id": {
            "type": "string",
            "description": "The X-Request-ID of the request, as logged; quote it in reports.",
        },
    },
}
ERROR_RESPONSES = {
    "400": "A parameter is unknown, empty or out of range (`invalid_parameter`).",
    "404": "Not found (`not_found`, `invalid_page`). Unpublished content answers exactly so.",
    "406": "The Accept header asks for something other than JSON (`not_acceptable`).",
    "414": "The URL is longer than `REQUEST_URI_MAX_LENGTH` characters (`uri_too_long`).",
    "429": "Too many requests (`throttled`); see the Retry-After header.",
}
WRITE_ERROR_RESPONSES = {
    "409": "A concurrent request clashed with this one (`write_conflict`, "
    "`constraint_conflict`); nothing was changed: send it again.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: document the error envelope on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            errors = dict(ERROR_RESPONSES)
            if method != "get":
                errors.update(WRITE_ERROR_RESPONSES)
            for code, description in errors.items():
                responses.setdefault(code, {"description": description, "content": reference})
            if method == "get":
                responses.setdefault(
                    "304", {"description": "Not modified: the If-None-Match ETag still holds."}
                )
    return result
