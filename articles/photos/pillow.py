"""Pillow, set up for newsroom: import it from here, inside the functions that read or write
an image file, never at a module's top.

Web workers import the photo models but serve no image, so they never load Pillow
(docs/performance.md, worker memory). Importing this module sets Pillow's limits once:
its decompression-bomb guard matches `PHOTO_MAX_PIXELS` (it raises at twice that value), and
a truncated file is an error, never a half-grey picture.
"""

from django.conf import settings
from PIL import Image, ImageFile, ImageOps, IptcImagePlugin, UnidentifiedImageError

Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS
ImageFile.LOAD_TRUNCATED_IMAGES = False

__all__ = ["Image", "ImageFile", "ImageOps", "IptcImagePlugin", "UnidentifiedImageError"]
