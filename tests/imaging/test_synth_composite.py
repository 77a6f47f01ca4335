from pathlib import Path

import cv2
import numpy as np
import pytest
import shapely

from scalpmap.errors import InputError
from scalpmap.imaging.synth_composite import (
    composite_smp,
    load_scalp_annotations,
    region_from_annotation,
    to_original_xy,
)

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "real-heads"


@pytest.fixture(scope="module")
def annotations():
    return load_scalp_annotations(DATA / "scalp_annotations.json")


def test_every_annotated_photo_is_there_with_a_region_above_its_brows(annotations):
    assert len(annotations) >= 10
    for name, annotation in annotations.items():
        assert (DATA / f"{name}.jpg").is_file()
        region = region_from_annotation(annotation)
        assert region.area > 0.1 * annotation.bare_scalp.area
        assert region.bounds[1] < annotation.brow_line_xy[:, 1].min()
        assert 0.15 < annotation.mm_per_px < 0.45  # 640 px photos of a whole head


def test_upright_points_map_back_to_the_same_pixels_of_the_stored_photo():
    photo = np.arange(4 * 6).reshape(4, 6)
    for turns in range(4):
        upright = np.rot90(photo, turns)
        xy = np.array([[1.0, 2.0], [upright.shape[1] - 1.0, 0.0]])
        back = to_original_xy(xy, turns, upright.shape).astype(int)
        for (ux, uy), (ox, oy) in zip(xy.astype(int), back, strict=True):
            assert upright[uy, ux] == photo[oy, ox]


def test_composite_darkens_the_region_only(annotations):
    annotation = annotations["13-front"]
    rgb = cv2.cvtColor(cv2.imread(str(DATA / "13-front.jpg")), cv2.COLOR_BGR2RGB)
    composite = composite_smp(rgb, annotation, seed=1, ink="black", density_per_cm2=60.0, upscale=1)
    assert composite.rgb.shape == rgb.shape
    assert composite.mm_per_px == pytest.approx(annotation.mm_per_px)
    x, y = composite.impressions[:, 0], composite.impressions[:, 1]
    assert shapely.contains_xy(composite.region.buffer(4 / composite.mm_per_px), x, y).all()
    change = np.abs(composite.rgb.astype(int) - rgb.astype(int)).sum(axis=2)
    inside = np.zeros(change.shape, np.uint8)
    cv2.fillPoly(inside, [np.round(composite.region.exterior.coords).astype(np.int32)], 1)
    # Dots change the region; elsewhere only JPEG and sensor noise remain.
    assert np.percentile(change[inside > 0], 99) > 3 * np.percentile(change[inside == 0], 99)
    assert len(composite.frontal_hairline_xy) >= 2


def test_a_file_that_is_not_an_annotation_file_is_refused(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"format": "other"}')
    with pytest.raises(InputError, match="not a scalpmap-real-heads-annotations/1"):
        load_scalp_annotations(path)
