"""The 办事指南 behind the results screen's button: the whole guide of the scenario, readable
before the citizen starts the form (一次告知), and back to the results."""

from __future__ import annotations

from typing import Any

import pytest
from ui_steps import all_texts, answer_questions, start_visit

pytestmark = pytest.mark.kivy


def test_results_button_opens_the_guide_and_comes_back(ui: Any, shots: Any) -> None:
    app = ui.app
    start_visit(ui, "open_logistics")
    ui.wait_screen("questions")
    answer_questions(ui)
    ui.wait_screen("results")
    results_texts = " ".join(all_texts(ui))
    assert "承诺办结时限：0.5个工作日" in results_texts  # the half day is not 即办
    assert "申请人须知" in results_texts  # the applicant's own deadlines, in their own words
    ui.screenshot(shots / "screen-results-limits.png")
    ui.tap(app.screen("results").ids.guide)
    ui.wait_screen("guide")
    ui.pump(3)
    ui.screenshot(shots / "screen-guide.png")
    texts = [w.text for w in app.screen("guide").ids.guide_text.children]
    joined = "\n".join(texts)
    assert "快递业务经营许可" in joined  # every 情形's permits, not only the ones chosen
    assert "法定办结时限：3个工作日（可延长3个工作日）" in joined
    assert "《邮政法》第五十一条" in joined
    assert app.screen("guide").title == "我要开物流货运公司办事指南"
    ui.tap(app.screen("guide").ids.close)
    ui.wait_screen("results")
