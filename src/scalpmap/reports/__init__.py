"""Reports for the patient and the laser facility, as self-contained HTML and as PDF.

Everything is built from a plan.json document (format ``scalpmap-plan/1``) and the photo, so a
stored plan can be reported again without its analysis in memory:

* :func:`render_zones` and :func:`render_removal_map` draw the pictures;
* :func:`render_report_html` fills the patient's or the facility's template;
* :func:`html_to_pdf` prints it to A4 PDF;
* :func:`write_reports` writes plan.html, facility.html, plan.pdf and facility.pdf.
"""

from scalpmap.reports.figures import render_removal_map, render_zones, report_images
from scalpmap.reports.html import Audience, render_report_html, report_context
from scalpmap.reports.images import (
    data_uri,
    encode_jpeg,
    encode_png,
    prepare_image,
    prepare_images,
)
from scalpmap.reports.output import write_reports
from scalpmap.reports.pdf import html_to_pdf

__all__ = [
    "Audience",
    "data_uri",
    "encode_jpeg",
    "encode_png",
    "html_to_pdf",
    "prepare_image",
    "prepare_images",
    "render_removal_map",
    "render_report_html",
    "render_zones",
    "report_context",
    "report_images",
    "write_reports",
]
