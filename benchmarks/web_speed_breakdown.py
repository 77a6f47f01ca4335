"""Where a 12 MP upload's analysis spends its time: the steps timed in process, and their lines."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from bench_common import markdown_table
from web_speed_runs import UPLOAD_SEEDS


def analysis_breakdown(photo: Path, runs: int = 2) -> list[dict[str, float]]:
    """Time, in this process, the steps ``services.analyses.run_analysis`` runs for a photo.

    Decoding, the analysis, analysis.json, the overlay picture and its PNG encoding, exactly as
    ``run_analysis`` calls them (without the database and the photo store).

    Parameters
    ----------
    photo : Path
        The JPEG.
    runs : int
        How many times.

    Returns
    -------
    list of dict
        Seconds per step, per run; also the overlay's size in pixels and bytes.
    """
    import io

    from PIL import Image

    from scalpmap.imaging.analysis import analyse_photo
    from scalpmap.imaging.analysis_json import analysis_to_json
    from scalpmap.imaging.overlay import render_overlay
    from scalpmap.imaging.photo_io import decode_photo

    data = photo.read_bytes()
    found = []
    for _ in range(runs):
        t0 = time.perf_counter()
        loaded = decode_photo(data)
        t1 = time.perf_counter()
        result = analyse_photo(loaded.rgb, mm_per_px=None)
        t2 = time.perf_counter()
        analysis_to_json(result, source=photo.name)
        t3 = time.perf_counter()
        overlay = render_overlay(loaded.rgb, result)
        t4 = time.perf_counter()
        buffer = io.BytesIO()
        Image.fromarray(overlay).save(buffer, format="PNG")
        t5 = time.perf_counter()
        found.append(
            {
                "decode_photo": t1 - t0,
                "analyse_photo": t2 - t1,
                "analysis_to_json": t3 - t2,
                "render_overlay": t4 - t3,
                "overlay PNG (Pillow, default level)": t5 - t4,
                "total": t5 - t0,
                "overlay px": float(overlay.shape[0] * overlay.shape[1]),
                "overlay w": float(overlay.shape[1]),
                "overlay h": float(overlay.shape[0]),
                "overlay MB": len(buffer.getvalue()) / 1e6,
            }
        )
    return found


BREAKDOWN_STEPS = (
    "decode_photo",
    "analyse_photo",
    "analysis_to_json",
    "render_overlay",
    "overlay PNG (Pillow, default level)",
    "total",
)


def breakdown_lines(runs: Sequence[dict[str, float]]) -> list[str]:
    """Build the lines of the server analysis's breakdown.

    Parameters
    ----------
    runs : sequence of dict
        From :func:`analysis_breakdown`.

    Returns
    -------
    list of str
        Markdown lines (empty without runs).
    """
    if not runs:
        return []
    last = runs[-1]
    rows = [
        [f"`{step}`" if step != "total" else "**total**", *(f"{run[step]:.2f}" for run in runs)]
        for step in BREAKDOWN_STEPS
    ]
    header = ["step (as `run_analysis` calls it)", *(f"run {i + 1} s" for i in range(len(runs)))]
    return [
        "Where the server's analysis time goes: the same calls as "
        "`scalpmap.services.analyses.run_analysis` (decode, analyse, analysis.json, overlay, "
        f"PNG), timed in the benchmark process on the seed-{UPLOAD_SEEDS[0]} photo, "
        f"{len(runs)} runs. The overlay is {last['overlay w']:.0f} x {last['overlay h']:.0f} px "
        f"(`MAX_OVERLAY_SIDE` = 4000 keeps a 12 MP photo at full size) and its PNG "
        f"{last['overlay MB']:.1f} MB.",
        "",
        markdown_table(header, rows),
        "",
    ]
