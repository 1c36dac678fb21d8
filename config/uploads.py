"""Multipart uploads read into memory with a hard size bound, for endpoints that take one file.

Django's default handlers spill large files to a temporary file on disk and accept any size. Here a
file is kept in memory and the upload is refused with `too_large(limit)` as soon as its bytes pass
`max_bytes`: the rest of the body is never buffered, and nothing is written to disk.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from rest_framework import exceptions, parsers

# Room for the multipart framing and small fields around the file in a request's declared length.
_FRAMING_BYTES = 64 * 1024


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Keeps uploaded files in memory and raises `too_large(limit)` once they add up to more than `limit` bytes."""

    def __init__(self, *, limit: int, too_large: Callable[[int], Exception]) -> None:
        super().__init__()
        self.limit = limit
        self.too_large = too_large
        self.received = 0
        self.buffer = io.BytesIO()

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise self.too_large(self.limit)
        self.buffer.write(raw_data)

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer, self.field_name, self.file_name, self.content_type, file_size, self.charset
        )


class BoundedMultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser keeping files in memory, at most `max_bytes` of them in one request.

    Subclasses set `max_bytes` and `too_large(limit) -> Exception` (an ApplicationError, so that the
    client gets the API's error envelope, typically 413 `payload_too_large`).
    """

    max_bytes: int = 0

    def too_large(self, limit: int) -> Exception:
        raise NotImplementedError

    def parse(self, stream, media_type=None, parser_context=None) -> parsers.DataAndFiles:
        request = parser_context["request"]
        # A declared length far past the limit is refused before a byte of the body is read.
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > self.max_bytes + _FRAMING_BYTES:
            raise self.too_large(self.max_bytes)
        meta = {**request.META, "CONTENT_TYPE": media_type}
        handlers = [BoundedMemoryUploadHandler(limit=self.max_bytes, too_large=self.too_large)]
        try:
            data, files = DjangoMultiPartParser(meta, stream, handlers, parsers.get_encoding(parser_context)).parse()
        except MultiPartParserError as error:
            raise exceptions.ParseError(f"Multipart form parse error - {error}") from None
        return parsers.DataAndFiles(data, files)
