"""Parse uploaded files in a child process that can be stopped: a timeout and a memory cap per file.

A crafted PDF, HTML page or recording can make a parser spin, swallow memory or crash in native code;
in a thread of the service it could not be stopped, and a crash would take the service down. The child
is started once (spawn) and reused; on a timeout or crash it is replaced and the next upload gets a fresh one.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from collections.abc import Callable
from multiprocessing.pool import Pool
from typing import Any, TypeVar

from assistant.errors import IngestError
from assistant.ingest.loaders import IMAGE_SUFFIXES, OFFICE_SUFFIXES, LoadedFile, load_bytes
from assistant.ingest.ocr import page_progress, set_page_reporter
from assistant.progress import Progress

T = TypeVar("T")
POLL_S = 0.25  # how often the parent looks for pages read while it waits


def _start_child(max_bytes: int, pages: Any) -> None:
    """Pool initializer: cap the child's address space so a decompression bomb fails instead of swapping, and
    send every page OCR reads to the parent through the ``pages`` queue."""
    set_page_reporter(lambda done, total: pages.put((done, total)))
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))
    except (ImportError, ValueError, OSError):  # not on this platform: the timeout still applies
        pass


def slow_pages_of(data: bytes, suffix: str) -> int:
    """Pages that will be read by OCR (a scan's image pages, an image's frames), 1 for a LibreOffice
    conversion, 0 otherwise; 0 as well when the file cannot even be opened (parsing will say why)."""
    suffix = suffix.lower()
    try:
        if suffix == ".pdf":
            from assistant.ingest.pdf import textless_pages

            return textless_pages(data)
        if suffix in IMAGE_SUFFIXES:
            from assistant.ingest.ocr import image_pages

            return len(image_pages(data))
    except Exception:  # the parse itself reports what is wrong with the file
        return 0
    return 1 if suffix in OFFICE_SUFFIXES else 0


class IsolatedParser:
    """``parse(data, suffix)`` like :func:`load_bytes`, but in a child process with ``timeout_s`` and ``memory_mb``.

    ``function`` (a module-level function, so the child can import it) does the parsing."""

    def __init__(
        self,
        timeout_s: float = 60.0,
        memory_mb: int = 2048,
        function: Callable[[bytes, str], LoadedFile] = load_bytes,
        slow_page_s: float = 60.0,
    ) -> None:
        self.timeout_s = timeout_s
        self.slow_page_s = slow_page_s  # extra time per page that OCR (or a LibreOffice conversion) must read
        self.function = function
        self.memory_bytes = memory_mb * 2**20
        self._pool: Pool | None = None
        self._pages: Any = None  # the child's queue of OCR pages read
        self._lock = threading.Lock()  # one file at a time, so the timeout measures that file's parsing only

    def _child(self) -> Pool:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pages = context.Queue()
            self._pool = context.Pool(processes=1, initializer=_start_child, initargs=(self.memory_bytes, self._pages))
        return self._pool

    def parse(self, data: bytes, suffix: str, progress: Progress | None = None) -> LoadedFile:
        """Parse in the child; a scan gets ``slow_page_s`` more per page OCR will read (counted first, quickly).

        ``progress`` hears each page OCR reads ("OCR page 3 of 20")."""
        slow_pages = self.run(slow_pages_of, data, suffix) if self.function is load_bytes else 0
        return self.run(
            self.function, data, suffix, timeout_s=self.timeout_s + slow_pages * self.slow_page_s, progress=progress
        )

    def run(
        self, function: Callable[..., T], *args: Any, timeout_s: float | None = None, progress: Progress | None = None
    ) -> T:
        """``function(*args)`` in the child (a module-level function; arguments and result are pickled)."""
        limit = timeout_s or self.timeout_s
        with self._lock:
            child = self._child()
            self._drain(None)  # pages a stopped earlier file left behind
            pending = child.apply_async(function, args)
            deadline = time.monotonic() + limit
            try:
                while not pending.ready() and time.monotonic() < deadline:
                    pending.wait(min(POLL_S, max(0.0, deadline - time.monotonic())))
                    self._drain(progress)
                result = pending.get(timeout=0)
                self._drain(progress)
                return result
            except multiprocessing.TimeoutError as exc:
                self._discard()
                raise IngestError(
                    f"reading the file took longer than {limit:g} s; it may be malformed (save it again or split it)"
                ) from exc
            except MemoryError as exc:
                self._discard()
                raise IngestError("reading the file needed too much memory; it may be malformed") from exc

    def _drain(self, progress: Progress | None) -> None:
        """Pass the pages the child has read so far on to ``progress``."""
        report = page_progress(progress) if progress is not None else None
        while self._pages is not None:
            try:
                done, total = self._pages.get_nowait()
            except (queue.Empty, OSError, ValueError):
                return
            if report is not None:
                report(done, total)

    def _discard(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool, self._pages = None, None

    def close(self) -> None:
        with self._lock:
            self._discard()
