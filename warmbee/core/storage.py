"""Storage for files that must never have a public address (report photos).

The folder is ``settings.PRIVATE_MEDIA_ROOT``, outside ``MEDIA_ROOT``, read on every use
so that a settings change (a test's temporary folder) moves it. Files have no URL: only a
view that checks who asks may send one.
"""

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="warmbee.core.storage.PrivateFileStorage")
class PrivateFileStorage(FileSystemStorage):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(base_url=None, **kwargs)

    @property  # a cached_property in the base class
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property  # a cached_property in the base class
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; a view sends them.")
