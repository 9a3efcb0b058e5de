"""Each quality reason is triggered by a frame made to cause it; a clean frame passes."""

from __future__ import annotations

import pytest

from devices.camera.detect import detect_in_work, work_image
from devices.camera.quality import QualityReason, assess


def _judge(sim_frame, **scene: object):  # type: ignore[no-untyped-def]
    frame, _ = sim_frame(**scene)
    work = work_image(frame)
    return assess(work, detect_in_work(work))


@pytest.mark.parametrize("doc", ["lease", "certificate", "id_copy"])
def test_a_clean_frame_passes(sim_frame, doc: str) -> None:  # type: ignore[no-untyped-def]
    report = _judge(sim_frame, doc=doc, rotate=7, tilt=0.1, scale=0.45 if doc == "certificate" else 0.6)
    assert report.ok, report


@pytest.mark.parametrize(
    ("scene", "reason"),
    [
        ({"doc": None}, QualityReason.NO_DOCUMENT),
        ({"blur": 2.0}, QualityReason.BLURRED),
        ({"doc": "id_copy", "blur": 2.0}, QualityReason.BLURRED),
        ({"light": 0.28}, QualityReason.TOO_DARK),
        ({"glare": 0.5}, QualityReason.GLARE),
        ({"x": 0.12}, QualityReason.CUT_OFF),
        ({"y": 0.35, "scale": 0.7}, QualityReason.CUT_OFF),
    ],
)
def test_each_reason_is_triggered_by_a_frame_made_to_cause_it(sim_frame, scene, reason) -> None:  # type: ignore[no-untyped-def]
    report = _judge(sim_frame, rotate=5, **scene)
    assert reason in report.reasons, report
    assert not report.ok


def test_a_slight_blur_is_still_accepted_and_the_reasons_are_i18n_keys(sim_frame) -> None:  # type: ignore[no-untyped-def]
    report = _judge(sim_frame, blur=0.8)
    assert report.ok, report
    dark = _judge(sim_frame, light=0.28, blur=2.0)
    assert dark.keys == ("camera.quality.too_dark", "camera.quality.blurred")
