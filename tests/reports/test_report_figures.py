"""The report pictures: drawn from a plan.json document and the photo alone."""

from __future__ import annotations

import io
from typing import Any

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from scalpmap.errors import InputError
from scalpmap.reports import (
    data_uri,
    encode_jpeg,
    encode_png,
    prepare_image,
    prepare_images,
    render_removal_map,
    render_zones,
)
from scalpmap.reports.drawing import blend_mask, scale_bar_length_mm
from scalpmap.reports.figures import ZONE_COLOURS

GREY = 150
W, H = 3200, 2400  # shrunk by half to the 1600 px figure width
MM_PER_PX = 0.05


def _square(x0: float, y0: float, x1: float, y1: float) -> list[list[list[float]]]:
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]


@pytest.fixture()
def flat_photo() -> NDArray[np.uint8]:
    return np.full((H, W, 3), GREY, dtype=np.uint8)


@pytest.fixture()
def hand_doc() -> dict[str, Any]:
    """A hand-made document: removal square left, touch-up square right, a straight hairline."""
    return {
        "format": "scalpmap-plan/1",
        "photo": {"source": "flat.jpg", "width": W, "height": H},
        "scale": {"mm_per_px": MM_PER_PX, "source": "given"},
        "zones": {
            "removal": {
                "area_cm2": 12.0,
                "impressions": 321,
                "polygons": [_square(400, 400, 1200, 1000)],
            },
            "touch_up": {
                "area_cm2": 3.0,
                "impressions": 5,
                "polygons": [_square(2000, 400, 2600, 800)],
            },
            "keep": {"area_cm2": 0.0, "impressions": 0, "polygons": []},
        },
        "target": {
            "current_hairline": [[100.0, 1600.0], [3100.0, 1600.0]],
            "hairline": {
                "segments": {
                    "frontal": {"points_px": [[100.0, 1300.0], [1600.0, 1250.0], [3100.0, 1300.0]]}
                },
                "irregularity_mm": 0.0,
            },
        },
    }


def _longest_white_run(rgb: NDArray[np.uint8]) -> int:
    white = np.all(rgb >= 250, axis=2)
    best = 0
    for row in white:
        padded = np.concatenate([[0], row.astype(np.int8), [0]])
        edges = np.flatnonzero(np.diff(padded))
        if len(edges):
            best = max(best, int(np.max(edges[1::2] - edges[::2])))
    return best


def test_zones_shape_shading_and_legend(
    flat_photo: NDArray[np.uint8], hand_doc: dict[str, Any]
) -> None:
    out = render_zones(flat_photo, hand_doc)
    assert out.dtype == np.uint8 and out.shape[1] == 1600 and out.shape[2] == 3
    assert out.shape[0] > H // 2  # the photo, then a legend strip
    r, g, b = (int(v) for v in out[350, 400])  # inside the removal square (scaled by 0.5)
    assert r > GREY + 10 and g < GREY - 10 and b < GREY - 10
    r, g, b = (int(v) for v in out[300, 1150])  # inside the touch-up square: amber
    assert r > GREY and b < GREY - 20
    assert tuple(out[1000, 1400]) == (GREY, GREY, GREY)  # untouched photo
    solid = np.all(out[600:660, 100:1500] >= 240, axis=2).any(axis=0)
    assert solid.mean() > 0.97  # the solid target hairline
    dashes = np.all(out[795:806, 100:1500] >= 240, axis=2).any(axis=0)
    assert 0.3 < dashes.mean() < 0.95  # the dashed current hairline: on and off
    legend = out[H // 2 :]
    assert np.all(legend == ZONE_COLOURS["removal"], axis=2).any()
    assert np.all(legend == ZONE_COLOURS["touch_up"], axis=2).any()
    assert not np.all(legend == ZONE_COLOURS["keep"], axis=2).any()  # empty zone: no entry
    assert (legend.sum(axis=2) < 200).sum() > 500  # legend text


def test_scale_bar_has_a_round_length(
    flat_photo: NDArray[np.uint8], hand_doc: dict[str, Any]
) -> None:
    out = render_zones(flat_photo, hand_doc)
    mm_per_out_px = MM_PER_PX * 2
    length_mm = scale_bar_length_mm(mm_per_out_px, 1600)
    assert length_mm == 20.0
    corner = out[H // 2 - 150 : H // 2, :400]
    assert abs(_longest_white_run(corner) - length_mm / mm_per_out_px) <= 8  # + end ticks


def test_removal_map_outline_grid_and_caption(
    flat_photo: NDArray[np.uint8], hand_doc: dict[str, Any]
) -> None:
    out = render_removal_map(flat_photo, hand_doc)
    assert out.shape[1] == 1600 and out.shape[0] > H // 2
    photo, caption = out[: H // 2], out[H // 2 :]
    red = (photo[..., 0] > 180) & (photo[..., 1] < 90) & (photo[..., 2] < 90)
    assert red[195:205, 250:550].any() and red[495:505, 250:550].any()  # top and bottom edges
    assert not red[700:, 1000:].any()  # nothing outlined away from the zone
    assert not (red[:, 900:]).any()  # the touch-up zone is not on the facility's map
    assert np.any(np.all(photo[900:1000, 700:1300] > GREY + 20, axis=2))  # grid lines
    assert (caption.sum(axis=2) < 300).sum() > 800  # the caption text
    assert not np.array_equal(photo[1000, 1400], [GREY, GREY, GREY])  # desaturated, lightened


def test_sample_removal_zone_is_red(
    sample_rgb: NDArray[np.uint8], mature_doc: dict[str, Any]
) -> None:
    from shapely.geometry import Polygon

    out = render_zones(sample_rgb, mature_doc)
    scale = out.shape[1] / sample_rgb.shape[1]
    rings = mature_doc["zones"]["removal"]["polygons"][0]
    x, y = Polygon(rings[0], rings[1:]).representative_point().coords[0]
    col, row = round(x * scale), round(y * scale)
    before = cv2.resize(sample_rgb, (out.shape[1], round(sample_rgb.shape[0] * scale)))
    patch, orig = (
        out[row - 3 : row + 4, col - 3 : col + 4],
        before[row - 3 : row + 4, col - 3 : col + 4],
    )
    shift = patch.astype(int).mean(axis=(0, 1)) - orig.astype(int).mean(axis=(0, 1))
    assert shift[0] > 5 and shift[1] < -20 and shift[2] < -10


def test_remove_all_has_no_target_line(
    sample_rgb: NDArray[np.uint8], remove_all_doc: dict[str, Any]
) -> None:
    out = render_zones(sample_rgb, remove_all_doc)
    legend = out[1200:]
    assert np.all(legend == ZONE_COLOURS["removal"], axis=2).any()
    assert not np.all(legend == ZONE_COLOURS["touch_up"], axis=2).any()


@pytest.mark.parametrize("every_other_column", [False, True])
def test_a_zone_tint_blends_each_of_its_pixels_towards_the_colour(every_other_column: bool) -> None:
    photo = np.random.default_rng(3).integers(0, 256, (60, 80, 3), dtype=np.uint8)
    picture = photo[:, ::2] if every_other_column else photo  # a view is tinted in place too
    before = picture.copy()
    mask = np.zeros(picture.shape[:2], np.uint8)
    mask[10:30, 5:25] = 255
    colour, alpha = ZONE_COLOURS["removal"], 0.38
    blend_mask(picture, mask, colour, alpha)
    tint = np.asarray(colour, dtype=np.float32)
    blended = before.astype(np.float32) * (1 - alpha) + tint * alpha
    inside = mask > 0
    assert np.array_equal(picture[inside], np.clip(blended, 0, 255).astype(np.uint8)[inside])
    assert np.array_equal(picture[~inside], before[~inside])


def test_wrong_photo_is_refused(hand_doc: dict[str, Any]) -> None:
    with pytest.raises(InputError, match="plan was made on"):
        render_zones(np.zeros((100, 100, 3), np.uint8), hand_doc)


def test_png_and_data_uri_round_trip() -> None:
    rgb = np.random.default_rng(1).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    png = encode_png(rgb)
    back = cv2.cvtColor(
        cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
    )
    assert np.array_equal(back, rgb)
    assert data_uri(png).startswith("data:image/png;base64,iVBOR")
    assert data_uri(encode_jpeg(rgb)).startswith("data:image/jpeg;base64,")
    with pytest.raises(InputError):
        data_uri(b"GIF89a")


def test_prepare_shrinks_big_photos_and_keeps_small_ones() -> None:
    rng = np.random.default_rng(2)
    big = rng.integers(0, 256, (1500, 3000, 3), dtype=np.uint8)
    prepared = prepare_images({"before": encode_png(big), "zones": encode_jpeg(big)})
    for data in prepared.values():
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG" and image.size == (1400, 700)
    ramp = np.linspace(0, 255, 400, dtype=np.float64).astype(np.uint8)
    small = encode_jpeg(np.repeat(np.tile(ramp, (300, 1))[..., None], 3, axis=2))
    assert prepare_image(small) is small
    chart = encode_png(big[:500, :1500])
    assert prepare_image(chart, chart=True) is chart  # charts stay crisp PNG
