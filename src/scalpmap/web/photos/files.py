"""Answers that send stored photo files (originals, previews and overlays)."""

from __future__ import annotations

from starlette.responses import FileResponse, Response

from scalpmap.services.errors import NotFoundError
from scalpmap.store.models import Photo
from scalpmap.store.photos import PhotoStore
from scalpmap.web.photos.orchestration import MEDIA_TYPES, done_analysis, resized_jpeg

__all__ = ["original_response", "overlay_response", "preview_response"]


def _file(store: PhotoStore, sha256: str, media_type: str) -> FileResponse:
    path = store.path_for(sha256)
    if not path.is_file():
        store.open(sha256).close()  # promotes a file staged before a crash
    return FileResponse(path, media_type=media_type, content_disposition_type="inline")


def original_response(store: PhotoStore, photo: Photo) -> Response:
    """Send the photo file as uploaded.

    Parameters
    ----------
    store : PhotoStore
        The store.
    photo : Photo
        The photo.

    Returns
    -------
    starlette.responses.Response
        The file.
    """
    return _file(store, photo.sha256, MEDIA_TYPES.get(photo.source_format, "image/jpeg"))


def preview_response(store: PhotoStore, photo: Photo, max_side: int) -> Response:
    """Send a JPEG of the photo at most ``max_side`` pixels (any stored format).

    Parameters
    ----------
    store : PhotoStore
        The store.
    photo : Photo
        The photo.
    max_side : int
        Longest side.

    Returns
    -------
    starlette.responses.Response
        The JPEG.
    """
    return Response(resized_jpeg(store.read(photo.sha256), max_side), media_type="image/jpeg")


def overlay_response(store: PhotoStore, photo: Photo) -> Response:
    """Send the overlay PNG of the photo's newest finished analysis.

    Parameters
    ----------
    store : PhotoStore
        The store.
    photo : Photo
        The photo.

    Returns
    -------
    starlette.responses.Response
        The PNG.

    Raises
    ------
    NotFoundError
        When no analysis of the photo has finished.
    """
    row = done_analysis(photo)
    if row is None or row.overlay_sha256 is None:
        raise NotFoundError(f"photo {photo.id} has no finished analysis yet")
    return _file(store, row.overlay_sha256, "image/png")
