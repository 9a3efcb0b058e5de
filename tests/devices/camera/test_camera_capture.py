"""Full-resolution capture: flattened page size and aspect, enhancement per kind, JPEG, materials."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from devices.camera import DocumentCamera, MaterialCapture, PageKind
from devices.camera.enhance import deskew, estimate_skew
from devices.camera.errors import BadPageKind, MaterialFull, NoDocumentError
from devices.camera.geometry import A4_ASPECT


def _decode(jpeg: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_UNCHANGED)
    assert image is not None
    return image


def test_text_page_is_a4_shaped_black_on_white_jpeg() -> None:
    camera = DocumentCamera("sim://camera?doc=lease&rotate=12&tilt=0.15&capture=8mp")
    camera.open()
    page = camera.capture_page("text")
    image = _decode(page.jpeg)
    assert image.ndim == 2 and image.shape == (page.height, page.width)
    assert page.height > page.width
    assert page.height / page.width == pytest.approx(A4_ASPECT, rel=0.02)
    assert page.height > 1300  # a page filling 60 % of an 8 MP frame keeps its detail
    near_extremes = np.count_nonzero((image < 40) | (image > 215)) / image.size
    assert near_extremes > 0.97  # binarised, apart from JPEG ringing
    assert 0.01 < np.count_nonzero(image < 128) / image.size < 0.2  # print is there, paper is white
    assert page.quality.ok and page.kind is PageKind.TEXT


def test_certificate_keeps_its_colour_and_landscape_shape() -> None:
    camera = DocumentCamera("sim://camera?doc=certificate&scale=0.45&rotate=-6&capture=2048x1536")
    camera.open()
    page = camera.capture_page(PageKind.CERTIFICATE)
    image = _decode(page.jpeg)
    assert image.ndim == 3 and page.width > page.height
    assert page.width / page.height == pytest.approx(A4_ASPECT, rel=0.02)
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    red = (hsv[..., 1] > 120) & ((hsv[..., 0] < 10) | (hsv[..., 0] > 170))
    assert np.count_nonzero(red) / red.size > 0.02  # the red border and seal survived


def test_capture_without_a_page_raises_no_document() -> None:
    camera = DocumentCamera("sim://camera?doc=none&capture=2048x1536")
    camera.open()
    with pytest.raises(NoDocumentError) as info:
        camera.capture_page()
    assert info.value.key == "camera.quality.no_document"


def test_unknown_kind_is_refused_with_a_key() -> None:
    camera = DocumentCamera("sim://camera?capture=2048x1536")
    camera.open()
    with pytest.raises(BadPageKind) as info:
        camera.capture_page("poster")
    assert info.value.key == "camera.kind.invalid"


def test_deskew_levels_a_rotated_text_page() -> None:
    camera = DocumentCamera("sim://camera?doc=lease&capture=2048x1536&noise=0")
    camera.open()
    frame, detection, _ = camera.analyse_full()
    assert detection is not None
    from devices.camera.enhance import warp_page

    flat = warp_page(frame, detection.corners)  # type: ignore[arg-type]
    assert abs(estimate_skew(flat)) < 0.3
    h, w = flat.shape[:2]
    tilted = cv2.warpAffine(flat, cv2.getRotationMatrix2D((w / 2, h / 2), 1.5, 1.0), (w, h),
                            borderMode=cv2.BORDER_REPLICATE)
    _, angle = deskew(tilted)
    assert angle == pytest.approx(-1.5, abs=0.3)


def test_material_capture_collects_orders_and_wipes_pages() -> None:
    camera = DocumentCamera("sim://camera?doc=id_copy&capture=2048x1536")
    camera.open()
    material = MaterialCapture("applicant.id_copy", PageKind.ID_COPY, max_pages=2)
    first = camera.capture_page(material.kind)
    camera.source.sim.update(rotate=10)  # type: ignore[attr-defined]
    second = camera.capture_page(material.kind)
    assert material.add(first) == 0 and material.add(second) == 1
    with pytest.raises(MaterialFull) as info:
        material.add(first)
    assert info.value.params["max_pages"] == 2
    material.move(1, 0)
    assert material.jpegs() == [second.jpeg, first.jpeg]
    assert material.remove(0) is second and len(material) == 1
    material.clear()
    assert len(material) == 0 and material.jpegs() == []
