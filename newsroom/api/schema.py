"""The OpenAPI schema's account of errors: the envelope and the answers every operation may
give, added by a drf-spectacular post-processing hook."""

from __future__ import annotations

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
