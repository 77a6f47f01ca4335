"""Print a report's HTML to PDF with WeasyPrint.

Only ``data:`` URLs are fetched (the reports embed everything), so a hostile string in a plan
cannot make the renderer reach the network or the file system. WeasyPrint's and fontTools'
logging (warnings about CSS it ignores, font subsetting chatter) is silenced while it runs.

Speed: most of a PDF's time is font subsetting. With the system library HarfBuzz-Subset
(Debian: ``libharfbuzz-subset0``) both reports print in about 0.7 s together; without it WeasyPrint
falls back to fontTools and takes about 1.2-1.6 s.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator

from PIL import ImageFile

NOISY_LOGGERS = ("weasyprint", "weasyprint.progress", "fontTools", "fontTools.subset")


@contextlib.contextmanager
def quiet_logging(level: int = logging.ERROR) -> Iterator[None]:
    """Raise the noisy renderers' loggers to ``level`` for the block, then restore them.

    Parameters
    ----------
    level : int, optional
        The lowest level still logged.

    Yields
    ------
    None
        Inside the block the loggers are quiet.
    """
    loggers = [logging.getLogger(name) for name in NOISY_LOGGERS]
    saved = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(level)
    try:
        yield
    finally:
        for logger, old in zip(loggers, saved, strict=True):
            logger.setLevel(old)


def html_to_pdf(html: str) -> bytes:
    """Print self-contained report HTML to an A4 PDF.

    Parameters
    ----------
    html : str
        The HTML, e.g. from :func:`scalpmap.reports.html.render_report_html`; pictures must be
        ``data:`` URIs (other URLs are not fetched).

    Returns
    -------
    bytes
        The PDF file.
    """
    with warnings.catch_warnings():
        # Without the system's HarfBuzz-Subset library WeasyPrint warns at import (and subsets
        # fonts more slowly with fontTools); the PDF is the same.
        warnings.filterwarnings("ignore", message=".*HarfBuzz-Subset", category=DeprecationWarning)
        import weasyprint  # slow to import: only when a PDF is wanted
    # WeasyPrint turns on Pillow's process-wide LOAD_TRUNCATED_IMAGES at import, which would let
    # a truncated photo through load_photo; our reports embed only our own complete pictures.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    with quiet_logging():
        fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})
        document = weasyprint.HTML(string=html, url_fetcher=fetcher)
        pdf: bytes = document.write_pdf()
    return pdf
