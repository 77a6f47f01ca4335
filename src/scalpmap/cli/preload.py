"""Work on a second thread while the command's own thread imports: decode the photo, load modules.

Importing runs Python code and holds Python's lock; decoding a JPEG (Pillow) and analysing it
(OpenCV, numpy) mostly release it. So ``scalpmap analyse`` and ``scalpmap plan`` decode the
photo on a second thread while they import OpenCV, shapely and the analysis (about 0.2 s off
their wall time), and ``plan`` imports the planning's scipy and scikit-image (1 s) there while
the photo is analysed.

The threads are daemons: a command that stops early (a wrong option) does not wait for them.
"""

from __future__ import annotations

import importlib
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scalpmap.imaging.photo_io import Photo

__all__ = ["load_photo_aside", "preload"]


def load_photo_aside(path: Path, *, max_pixels: int) -> Future[Photo]:
    """Start decoding a photo on a daemon thread.

    Parameters
    ----------
    path : Path
        The photo file.
    max_pixels : int
        Largest accepted ``width * height``.

    Returns
    -------
    concurrent.futures.Future
        Its ``result()`` is the :class:`scalpmap.imaging.photo_io.Photo`, or raises what
        :func:`scalpmap.imaging.photo_io.load_photo` raised.

    Examples
    --------
    >>> from scalpmap.errors import PhotoError
    >>> try:
    ...     load_photo_aside(Path("no-such-photo.jpg"), max_pixels=10**8).result()
    ... except PhotoError as error:
    ...     print(error)
    photo not found: no-such-photo.jpg; check the path
    """
    future: Future[Photo] = Future()

    def decode() -> None:
        try:
            from scalpmap.imaging.photo_io import load_photo

            future.set_result(load_photo(path, max_pixels=max_pixels))
        except BaseException as error:  # noqa: BLE001 - raised again by future.result()
            future.set_exception(error)

    threading.Thread(target=decode, name="scalpmap-photo", daemon=True).start()
    return future


def preload(*modules: str) -> threading.Thread:
    """Import ``modules``, in order, on a daemon thread.

    A module that fails to import is left alone: the command imports it again where it needs
    it and reports the error there. Python's import locks make that import wait while this
    thread is still importing the module.

    Parameters
    ----------
    *modules : str
        Dotted module names.

    Returns
    -------
    threading.Thread
        The thread, started.

    Examples
    --------
    >>> preload("json", "no.such.module").join()
    >>> import sys
    >>> "json" in sys.modules
    True
    """

    def run() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001, S112 - reported where the command imports it
                continue

    thread = threading.Thread(target=run, name="scalpmap-preload", daemon=True)
    thread.start()
    return thread
