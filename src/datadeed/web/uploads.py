"""Files the routes take: raw request bodies spooled to disk with a size limit (API), and
the file of a page's upload form (``form_file``)."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import IO

from fastapi import Request
from starlette.datastructures import UploadFile

from datadeed.errors import InvalidInput
from datadeed.evidence.services import PayloadTooLarge

CHUNK = 1 << 20


@asynccontextmanager
async def spooled_body(request: Request, limit: int) -> AsyncIterator[IO[bytes]]:
    """The body written to a temporary file as it arrives (never held in memory); more
    than ``limit`` bytes raises PayloadTooLarge. The file is gone when the block ends."""
    with tempfile.TemporaryFile() as spool:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"the file exceeds {limit} bytes")
            spool.write(chunk)
        yield spool


def spool_chunks(spool: IO[bytes]) -> Iterator[bytes]:
    """The spooled body again, from its start, in CHUNK-sized pieces."""
    spool.seek(0)
    while chunk := spool.read(CHUNK):
        yield chunk


def file_chunks(file: UploadFile) -> Iterator[bytes]:
    """An upload form's file, read in CHUNK-sized pieces."""
    while chunk := file.file.read(CHUNK):
        yield chunk


@dataclass(frozen=True)
class FormFile:
    """The file chosen in a page's upload form."""

    filename: str
    media_type: str | None
    chunks: Iterator[bytes]


def form_file(file: UploadFile | None) -> FormFile:
    """The file chosen in a page's upload form, read in CHUNK-sized pieces; none chosen
    (browsers send the empty input as a part without a name): 400 ``choose a file``."""
    if file is None or not file.filename:
        raise InvalidInput("choose a file")
    return FormFile(file.filename, file.content_type, file_chunks(file))
