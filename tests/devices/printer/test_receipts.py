"""The 受理回执 and the self-test page: content, labels from i18n, 58/80 mm layouts on the simulator."""

from __future__ import annotations

import random
import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from hardware import needs_simulator

from devices.printer.driver import ReceiptPrinter
from devices.printer.layout import text_width
from identity.idnumber import generate_person
from kiosk.paths import ASSETS
from kiosk.receipts import (
    AcceptanceReceipt,
    build_acceptance_receipt,
    build_self_test_page,
    example_receipt,
)

RECEIPT_PNG = Path("/tmp/acceptance_receipt_58.png")


def sample(rng_seed: int = 7) -> AcceptanceReceipt:
    return example_receipt(rng_seed)


@needs_simulator("printer")
@pytest.mark.parametrize(("width", "columns"), [("58", 32), ("80", 48)])
def test_acceptance_receipt_prints_within_the_paper(
    tmp_path: Path, width: str, columns: int
) -> None:
    data = sample()
    with ReceiptPrinter(f"sim://printer?width={width}&png_dir={tmp_path}") as printer:
        printer.print(build_acceptance_receipt(data, columns))
        job = printer.simulator.wait_for_jobs(1)[0]
    assert job.complete and job.overflow == []
    assert all(text_width(line) <= columns for line in job.lines if not line.startswith("["))
    text = "".join(job.lines).replace(" ", "")
    for expected in [
        "受理回执",
        data.reference,
        data.applicant_name_masked,
        data.id_number_masked,
        "企业设立登记",
        "区市场监督",
        "市公安局",
        "0.5个工作日",  # half a working day stays half (int(0.5) once printed 即办)
        "即办",
        "大连鑫源商贸有限公司",
        "中国工商银行",
        "2024年06月05日",  # the bank appointment
        "接下来",
        "短信",
        "免费邮寄到上面的地址",
        "以部门通知为准",
        "1.身份证（已读取）",
        "免费邮寄",
        "2024年06月01日09:05",
        "GJZ-24H-03",
        "12345",
        "您的身份信息已从本机清除",
        "扫码查询办理进度",
    ]:
        assert expected in text, expected
    assert f"[QR {data.track_url}]" in job.lines
    if columns == 32:
        job.page.render_png(RECEIPT_PNG)  # for a person to look at


def test_no_full_id_number_on_the_receipt() -> None:
    person = generate_person(random.Random(3))
    data = sample(3)
    rendered = ReceiptPrinter("file:///dev/null").render(build_acceptance_receipt(data, 48))
    assert person.id_number.encode() not in rendered
    assert re.search(rb"\d{17}[\dX]", rendered) is None


def test_the_80mm_receipt_uses_a_table_and_the_58mm_one_a_list() -> None:
    wide = build_acceptance_receipt(sample(), 48)
    narrow = build_acceptance_receipt(sample(), 32)
    assert any(type(e).__name__ == "Table" for e in wide.elements)
    assert not any(type(e).__name__ == "Table" for e in narrow.elements)


@needs_simulator("printer")
def test_english_labels() -> None:
    with ReceiptPrinter("sim://printer") as printer:
        printer.print(build_acceptance_receipt(sample(), 48, lang="en"))
        text = "\n".join(printer.simulator.wait_for_jobs(1)[0].lines)
    assert "Acceptance receipt" in text and "12345" in text and "Reference:" in text


def test_every_printer_key_has_both_languages() -> None:
    zh = yaml.safe_load((ASSETS / "i18n/zh_CN/printer.yaml").read_text("utf-8"))
    en = yaml.safe_load((ASSETS / "i18n/en/printer.yaml").read_text("utf-8"))
    assert set(zh) == set(en)
    source = "".join(p.read_text("utf-8") for p in (ASSETS.parent / "devices/printer").glob("*.py"))
    source += (ASSETS.parent / "kiosk/receipts.py").read_text("utf-8")
    used = set(re.findall(r'"((?:printer|receipt|selftest)\.[a-z_]+)"', source))
    assert used <= set(zh), used - set(zh)


@needs_simulator("printer")
def test_self_test_page(tmp_path: Path) -> None:
    page = build_self_test_page(
        "GJZ-24H-03",
        "甘井子区 24小时自助区",
        ["eth0 192.0.2.10"],
        {"kiosk24": "0.1.0"},
        datetime(2024, 6, 1, 8, 0),
    )
    with ReceiptPrinter("sim://printer?width=58&encoding=gbk") as printer:
        printer.print(page)
        job = printer.simulator.wait_for_jobs(1)[0]
    assert job.overflow == []
    assert "  eth0 192.0.2.10" in job.lines
    assert "[QR kiosk:GJZ-24H-03@2024-06-01T08:00:00]" in job.lines
    # On a GBK printer the line with 㐀䶮 and ￥ cannot be encoded, so it went as a raster picture.
    assert any(line.startswith("[image ") for line in job.lines)


@needs_simulator("printer")
def test_the_applicants_own_deadlines_are_printed_apart_from_the_agencys_limits() -> None:
    """Issue 15: "register 公积金 within 30 days of the licence" is the applicant's duty, printed
    under 接下来, while each item's row keeps the agency's promised limit and due date."""
    from dataclasses import replace

    from kiosk.catalog import load_catalog
    from kiosk.catalog.time_limits import deadline_lines

    catalog = load_catalog()
    duties = [line for item in catalog.items.values() for line in deadline_lines(item, "zh_CN", with_basis=False)]
    assert any("公积金" in line for line in duties)
    data = replace(sample(), applicant_deadlines=duties[:2])
    with ReceiptPrinter("sim://printer") as printer:
        printer.print(build_acceptance_receipt(data, 48))
        text = "".join(printer.simulator.wait_for_jobs(1)[0].lines)
    for duty in duties[:2]:
        assert duty.replace(" ", "")[:12] in text.replace(" ", "")
