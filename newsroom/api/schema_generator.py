"""The OpenAPI schema's generator (`SPECTACULAR_SETTINGS["DEFAULT_GENERATOR_CLASS"]`):
drf-spectacular's, applying the views' schema annotations (`newsroom.api.schema`) first.

Imported only where the schema is generated (`/api/schema/`, `manage.py spectacular`), never
by a web worker serving the API.
"""

from __future__ import annotations

from drf_spectacular.generators import SchemaGenerator as SpectacularSchemaGenerator

from newsroom.api.schema import schema_annotations_apply


class SchemaGenerator(SpectacularSchemaGenerator):
    def create_view(self, callback, method, request=None):
        schema_annotations_apply(callback.cls)
        return super().create_view(callback, method, request)
