"""Sources, verification flags, reviewed dates, stop rules and the two kinds of time limit in the
catalog loader; ``kiosk catalog check`` and ``kiosk catalog guide`` as a technician runs them; every
national 一件事 walked through the engine with every 情形 option."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.catalog import DEFAULT_DIR, load_catalog
from kiosk.catalog.guide import build_guide, render_html, render_text
from kiosk.errors import CatalogError
from screens.cli import main
from tests.foundation.test_engine import all_branches, walk

CATALOG = load_catalog()
NATIONAL = ["open_transport_company", "utility_connection", "social_card_services", "disability_services",
            "veteran_discharge"]


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(folder)
    return info.value.problems


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


# -- the loader ---------------------------------------------------------------------------------

def test_every_item_carries_basis_checked_and_reviewed():
    for item in CATALOG.items.values():
        assert item.sources.basis, item.id
        assert item.sources.checked, item.id
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", item.sources.reviewed), item.id
        assert item.sources.verified or item.sources.question.zh, item.id


def test_a_missing_basis_is_a_warning_for_an_item_without_a_legal_limit(catalog_copy):
    path = catalog_copy / "items" / "enterprise.yaml"
    replace(path, '  basis: ["人民币银行结算账户管理办法 第十二条"]\n', "")
    warnings = load_catalog(catalog_copy).warnings
    assert any("item 'bank_account' has no legal 'basis'" in w for w in warnings)


def test_a_legal_limit_without_its_basis_is_an_error(catalog_copy):
    path = catalog_copy / "items" / "permits.yaml"
    replace(path, '  basis: ["邮政法 第五十一条", "邮政法 第五十二条", "邮政法 第五十三条", "邮政法 第七十二条"]\n', "")
    [problem] = problems_of(catalog_copy)
    assert "item 'express_license' has no legal 'basis' (required here)" in problem
    assert problem.startswith("catalog/items/permits.yaml:")


def test_a_stop_rule_without_basis_is_an_error(catalog_copy):
    path = catalog_copy / "scenarios" / "02-business-one-thing.yaml"
    text = path.read_text()
    start = text.index("  stops:")
    block = text[start:text.index("  items:", start)]
    path.write_text(text.replace(block, block.replace('      basis: ["互联网上网服务营业场所管理条例 第九条"]\n', "", 1)))
    problems = problems_of(catalog_copy)
    assert any("stop rule \"near_school == 'yes'\"" in p and "required here" in p for p in problems)


def test_an_applicant_deadline_without_basis_is_an_error(catalog_copy):
    path = catalog_copy / "items" / "enterprise.yaml"
    replace(path, 'action: {zh: 为职工办理社会保险登记, en: register each employee for social insurance}, basis: ["社会保险法 第五十八条"],',
            "action: {zh: 为职工办理社会保险登记, en: register each employee for social insurance},")
    [problem] = problems_of(catalog_copy)
    assert "applicant deadline has no legal 'basis' (required here)" in problem


def test_unverified_without_a_question_and_bad_dates_are_errors(catalog_copy):
    path = catalog_copy / "items" / "permits.yaml"
    text = path.read_text()
    text = text.replace("  question: {zh: 大连需办理营业前消防安全检查的面积门槛是多少（目录按50平方米划分，各省不同）？, "
                        "en: \"What area threshold applies in Dalian (50 m² is used here; provinces differ)?\"}\n", "")
    start = text.index("- id: tobacco_retail_license")
    text = text[:start] + text[start:].replace("  reviewed: 2026-12-06\n", "  reviewed: 6 Dec\n", 1)
    path.write_text(text)
    problems = problems_of(catalog_copy)
    assert any("verified: false without the 'question'" in p for p in problems)
    assert any("'reviewed' must be a date YYYY-MM-DD" in p for p in problems)


def test_time_limits_are_numbers_and_units_are_known(catalog_copy):
    path = catalog_copy / "items" / "enterprise.yaml"
    replace(path, "  legal_days: 3\n", "  legal_days: three\n")
    replace(path, "  legal_unit: calendar\n", "  legal_unit: weeks\n")
    problems = problems_of(catalog_copy)
    assert any("'legal_days' must be a number of days" in p for p in problems)
    assert any("'legal_unit' must be working" in p for p in problems)


def test_stop_for_waits_for_every_name_it_uses():
    scenario = CATALOG.scenarios["change_enterprise"]
    assert scenario.stop_for({"change_name": "no", "change_address": "no"}) is None
    answers = {"change_name": "no", "change_address": "no", "change_legal_rep": "no", "change_scope": "no"}
    assert scenario.stop_for(answers) is not None
    assert scenario.stop_for({**answers, "change_scope": "yes"}) is None


def test_check_prints_warnings_and_passes(capsys):
    assert main(["catalog", "check"]) == 0
    out = capsys.readouterr().out
    assert "catalog OK: 26 scenarios" in out
    assert "warning(s) about missing sources" in out


def test_check_fails_on_a_missing_required_basis(catalog_copy, capsys):
    path = catalog_copy / "items" / "permits.yaml"
    replace(path, '  basis: ["邮政法 第五十一条", "邮政法 第五十二条", "邮政法 第五十三条", "邮政法 第七十二条"]\n', "")
    assert main(["catalog", "check", str(catalog_copy)]) == 1
    assert "has no legal 'basis' (required here)" in capsys.readouterr().out


# -- the guide ------------------------------------------------------------------------------------

def test_guide_html_has_every_part_the_hall_signs_off():
    guide = build_guide(CATALOG, "open_logistics")
    page = render_html(guide)
    for words in ("我要开物流货运公司办事指南", "甘井子区营商环境建设局", "情形选择",
                  "是否经营快递业务", "选择后需办理：快递业务经营许可", "大连市邮政管理局",
                  "承诺办结时限：0.5个工作日", "法定办结时限：3个工作日（可延长3个工作日）", "法定办结时限：45日",
                  "申请人须知：自单位设立（领取营业执照）之日起30日内办理住房公积金单位缴存登记",
                  "住所使用证明", "复印件1份", "九免服务", "《邮政法》第五十一条",
                  "待大厅核实事项", "快递业务经营许可在本区大厅可否代收"):
        assert words in page, words
    assert "即办" not in page.split("承诺办结时限：0.5")[0][-30:]


def test_guide_lists_stop_rules_and_conditions_in_plain_words():
    page = render_html(build_guide(CATALOG, "open_internet_cafe"))
    assert "不予办理的情形" in page and "中学、小学校园周围200米范围内" in page
    text = render_text(build_guide(CATALOG, "open_pharmacy"))
    assert "执业药师注册证：原件（现场拍摄）；「经营哪类药品？」选“处方药或甲类非处方药”" in text


def test_guide_in_english():
    page = render_html(build_guide(CATALOG, "newborn", "en"))
    assert "Service guide: A baby is born" in page and "Medical birth certificate" in page


def test_guide_cli_writes_html_and_a_pdf_with_pages(tmp_path, capsys):
    assert main(["catalog", "guide", "open_bookstore", "--out", str(tmp_path)]) == 0
    html_text = (tmp_path / "open_bookstore.html").read_text()
    assert "出版物经营许可证（零售）" in html_text and "2至4小时" in html_text
    pdf = tmp_path / "open_bookstore.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages > 0
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts  # the Chinese glyphs are embedded, not boxes
    assert f"({pages} page(s))" in capsys.readouterr().out


def test_guide_cli_all_html_only(tmp_path):
    assert main(["catalog", "guide", "--all", "--no-pdf", "--out", str(tmp_path)]) == 0
    assert sorted(p.stem for p in tmp_path.glob("*.html")) == sorted(CATALOG.scenarios)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["catalog", "guide", "no_such", "--out", "X"], "unknown scenario 'no_such'"),
        (["catalog", "guide", "--out", "X"], "name one SCENARIO or give --all"),
    ],
)
def test_guide_cli_explains_bad_input(argv, message, tmp_path, capsys):
    argv = [a if a != "X" else str(tmp_path) for a in argv]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


# -- the new 一件事 through the engine -----------------------------------------------------------

AUDITED = [*NATIONAL, "change_enterprise", "after_death", "open_logistics", "open_beauty_salon", "open_pharmacy",
           "open_internet_cafe", "home_transfer", "newborn", "open_restaurant"]


@pytest.mark.parametrize("scenario_id", AUDITED)
def test_every_situation_of_the_audited_scenarios_walks_to_a_submission(scenario_id):
    branches = all_branches(scenario_id)
    assert len(branches) >= 2
    walked = 0
    for number, situation in enumerate(branches):
        scenario = CATALOG.scenarios[scenario_id]
        if scenario.stop_for(situation) is not None:
            continue  # refused with a reason: nothing to submit
        _, document = walk(scenario_id, seed=number, situation=situation)
        assert document["items"], situation
        walked += 1
    assert walked >= 1
    values = {q.id: {o.value for o in q.options} for q in CATALOG.scenarios[scenario_id].questions}
    answered = {(k, v) for b in branches for k, v in b.items()}
    assert all((q, v) in answered for q, options in values.items() for v in options), "an option never reached"
