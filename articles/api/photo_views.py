"""The write API's photo upload (`/api/v1/manage/photos/`): checked before it is stored."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from articles.api.base import ERROR_401, ERROR_403, ManageAPIView, request_content_length
from articles.api.manage_serializers import (
    PhotoManageSerializer,
    PhotoUploadSerializer,
)
from articles.api.permissions import (
    CanUploadPhotos,
)
from articles.photos.images import inspect_photo_file
from articles.photos.services import photo_create
from newsroom.api.schema import extend_schema

PHOTO_ERROR_STATUS = {
    "file_too_large": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    "unsupported_image_format": status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
}
# Room for the multipart envelope and the text fields around the file.
MULTIPART_OVERHEAD_BYTES = 1024 * 1024


@extend_schema(tags=["manage"])
class PhotoUploadView(ManageAPIView):
    """Upload a photo (multipart/form-data) with its caption, credit and alt text."""

    permission_classes = [CanUploadPhotos]
    parser_classes = [MultiPartParser]
    serializer_class = PhotoManageSerializer

    @extend_schema(
        summary="Upload a photo",
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={
            201: PhotoManageSerializer,
            400: OpenApiResponse(
                description="Not a usable image (`invalid_image`, `image_too_many_pixels`, "
                "`extension_mismatch`, `empty_file`, `too_many_frames`) or invalid fields."
            ),
            401: ERROR_401,
            403: ERROR_403,
            413: OpenApiResponse(description="The file is too large (`file_too_large`)."),
            415: OpenApiResponse(
                description="Not a JPEG, PNG, WebP or GIF (`unsupported_image_format`), or "
                "not a multipart body (`unsupported_media_type`)."
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        limit = settings.PHOTO_MAX_UPLOAD_BYTES
        if request_content_length(request) > limit + MULTIPART_OVERHEAD_BYTES:
            # Refused before the body is read, so a huge upload costs no disk.
            raise _photo_refusal(
                "file_too_large", f"Photos may be at most {limit // (1024 * 1024)} MB."
            )
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        image = serializer.validated_data["image"]
        try:
            inspect_photo_file(image)
        except DjangoValidationError as exc:
            raise _photo_refusal(exc.code or "invalid_image", " ".join(exc.messages)) from exc
        photo = photo_create(user=request.user, **serializer.validated_data)
        return Response(PhotoManageSerializer(photo).data, status=status.HTTP_201_CREATED)


def _photo_refusal(code: str, message: str) -> exceptions.ValidationError:
    exc = exceptions.ValidationError({"image": [exceptions.ErrorDetail(message, code)]})
    exc.status_code = PHOTO_ERROR_STATUS.get(code, status.HTTP_400_BAD_REQUEST)
    return exc
