"""The receipts the kiosk prints, as printer documents: the 受理回执 and the self-test page.

Every label comes from ``assets/i18n/<lang>/printer.yaml`` through :func:`kiosk.i18n.t`. The
receipt holds only masked identity data; the same document can be shown on screen when the
printer is out (its reference and QR).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from devices.printer.document import (
    Feed,
    KeyValue,
    QrCode,
    Receipt,
    Separator,
    Table,
    Text,
    Title,
)
from identity.idnumber import generate_person, keep_ends, mask
from kiosk.i18n import DEFAULT_LANGUAGE, t
from kiosk.workdays import promised_words

# Below this width the items are listed one under another instead of as a three-column table.
TABLE_MIN_COLUMNS = 40


@dataclass(frozen=True)
class ReceiptItem:
    title: str
    department: str
    promised_days: float | None
    due: date | None = None


@dataclass
class AcceptanceReceipt:
    """What a 受理回执 says; names and ID numbers arrive already masked."""

    reference: str
    applicant_name_masked: str
    id_number_masked: str
    scenario_title: str
    items: list[tuple[Any, ...]]  # (title, department, promised working days[, due date])
    materials: list[str]
    delivery: str
    delivery_address: str
    created_at: datetime
    location: str
    kiosk_id: str
    track_url: str
    enterprise_name: str = ""
    bank: str = ""
    appointment: str = ""  # YYYYMMDD as entered
    delivery_kind: str = ""  # "pickup" or "mail" (the 情形 answer), for what happens next
    hall: Any = None  # a kiosk.hall.Hall: pickup window, hours, phone
    applicant_deadlines: list[str] = field(default_factory=list)  # what the applicant must do by when
    extra: list[str] = field(default_factory=list)


def example_receipt(seed: int = 7) -> AcceptanceReceipt:
    """A typical 受理回执 for a generated person (tests, benchmarks, a technician's preview)."""
    person = generate_person(random.Random(seed))
    return AcceptanceReceipt(
        reference="SL20240601-000123",
        applicant_name_masked=keep_ends(person.name, 1),
        id_number_masked=mask(person.id_number),
        scenario_title="开办企业“一件事”（有限责任公司设立）",
        items=[
            ("企业设立登记", "区市场监督管理局", 0.5, date(2024, 6, 3)),
            ("公章刻制备案", "市公安局", 0, date(2024, 6, 3)),
            ("申领发票及税控设备", "区税务局", None, None),
        ],
        materials=["身份证（已读取）", "公司章程", "住所使用证明（租赁合同）"],
        delivery="免费邮寄",
        delivery_address="辽宁省大连市甘井子区示例路88号2单元501室",
        created_at=datetime(2024, 6, 1, 9, 5),
        location="甘井子区行政审批服务大厅 24小时自助区",
        kiosk_id="GJZ-24H-03",
        track_url="https://zwfw.example.cn/track?ref=SL20240601-000123",
        enterprise_name="大连鑫源商贸有限公司",
        bank="中国工商银行",
        appointment="20240605",
        delivery_kind="mail",
    )


def format_datetime(moment: datetime, lang: str = DEFAULT_LANGUAGE) -> str:
    return t(
        "receipt.datetime",
        lang,
        year=f"{moment.year:04d}",
        month=f"{moment.month:02d}",
        day=f"{moment.day:02d}",
        hour=f"{moment.hour:02d}",
        minute=f"{moment.minute:02d}",
    )


def promised_time(days: float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """"即办", "0.5个工作日", "3个工作日" (half days stay half days)."""
    return promised_words(days, lang)


def format_date(day: date | None, lang: str = DEFAULT_LANGUAGE, *, short: bool = False) -> str:
    """"2024年06月03日", or "6月3日" (``short``, in a table column)."""
    if day is None:
        return "-"
    if short:
        return t("receipt.due_date_short", lang, month=day.month, day=day.day)
    return t("receipt.due_date", lang, year=f"{day.year:04d}", month=f"{day.month:02d}", day=f"{day.day:02d}")


def format_entered_date(text: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A date as the citizen typed it (YYYYMMDD or YYYY-MM-DD) in the receipt's format."""
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) != 8:
        return text
    try:
        return format_date(date(int(digits[:4]), int(digits[4:6]), int(digits[6:])), lang)
    except ValueError:
        return text


def _items(data: AcceptanceReceipt, width_columns: int, lang: str) -> list:
    items = [ReceiptItem(*item) for item in data.items]
    if width_columns >= TABLE_MIN_COLUMNS:
        headers = (
            t("receipt.col_item", lang),
            t("receipt.col_days", lang),
            t("receipt.col_due", lang),
        )
        rows = tuple((t("receipt.item_with_department", lang, title=i.title, department=i.department),
                      promised_time(i.promised_days, lang), format_date(i.due, lang, short=True))
                     for i in items)
        return [Table(headers, rows), Text(t("receipt.due_note", lang))]
    elements: list = []
    for number, item in enumerate(items, 1):
        elements += [
            Text(f"{number}. {item.title}", bold=True),
            KeyValue(t("receipt.department", lang), item.department),
            KeyValue(t("receipt.days_label", lang), promised_time(item.promised_days, lang)),
            KeyValue(t("receipt.due_label", lang), format_date(item.due, lang)),
        ]
    return [*elements, Text(t("receipt.due_note", lang))]


def next_steps(data: AcceptanceReceipt, lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """What happens after the kiosk: SMS, where and when to collect (or mailing), what to bring, whom to call."""
    from kiosk.hall import load_hall

    hall = data.hall or load_hall()
    lines = [t("receipt.next_sms", lang)]
    if data.delivery_kind == "mail":
        lines.append(t("receipt.next_mail", lang))
    else:
        lines += [
            t("receipt.next_pickup", lang, place=hall.text("pickup", lang), hours=hall.hours_text()),
            t("receipt.next_bring", lang),
        ]
    if hall.phone:
        lines.append(t("receipt.next_hall_phone", lang, number=hall.phone))
    return lines + list(data.applicant_deadlines) + list(data.extra)


def _applied_for(data: AcceptanceReceipt, lang: str) -> list:
    rows = []
    if data.enterprise_name:
        rows.append(KeyValue(t("receipt.enterprise_name", lang), data.enterprise_name))
    if data.bank:
        rows.append(KeyValue(t("receipt.bank", lang), data.bank))
        if data.appointment:
            rows.append(KeyValue(t("receipt.appointment", lang), format_entered_date(data.appointment, lang)))
    return rows


def build_acceptance_receipt(
    data: AcceptanceReceipt, width_columns: int, lang: str = DEFAULT_LANGUAGE
) -> Receipt:
    """The 受理回执 for paper ``width_columns`` wide (32 on 58 mm, 48 on 80 mm)."""
    materials = [
        Text(t("receipt.material_line", lang, number=n, name=name))
        for n, name in enumerate(data.materials, 1)
    ] or [Text(t("receipt.materials_none", lang))]
    delivery = [KeyValue(t("receipt.delivery", lang), data.delivery)]
    if data.delivery_address:
        delivery.append(KeyValue(t("receipt.delivery_address", lang), data.delivery_address))
    return Receipt(
        [
            Title(t("receipt.title", lang)),
            Feed(1),
            KeyValue(t("receipt.reference", lang), data.reference),
            KeyValue(t("receipt.applicant", lang), data.applicant_name_masked),
            KeyValue(t("receipt.id_number", lang), data.id_number_masked),
            Separator(),
            KeyValue(t("receipt.scenario", lang), data.scenario_title),
            *_applied_for(data, lang),
            *_items(data, width_columns, lang),
            Separator(),
            Text(t("receipt.materials", lang)),
            *materials,
            Separator(),
            *delivery,
            KeyValue(t("receipt.created_at", lang), format_datetime(data.created_at, lang)),
            KeyValue(t("receipt.location", lang), data.location),
            KeyValue(t("receipt.kiosk", lang), data.kiosk_id),
            Separator(),
            Text(t("receipt.next_title", lang), bold=True),
            *(Text(line) for line in next_steps(data, lang)),
            Separator(),
            QrCode(data.track_url, caption=t("receipt.track", lang)),
            Text(t("receipt.hotline", lang), align="center"),
            Text(t("receipt.privacy", lang), align="center"),
            Text(t("receipt.keep", lang), align="center"),
            Feed(2),
        ]
    )


def build_self_test_page(
    kiosk_id: str,
    location: str,
    addresses: Sequence[str],
    versions: Mapping[str, str],
    now: datetime,
    lang: str = DEFAULT_LANGUAGE,
    checks: Sequence[str] = (),
) -> Receipt:
    """The technician's self-test page: who and where the kiosk is, its addresses and versions,
    and (from ``kiosk-provision selftest``) one line per device check."""
    address_lines = [Text("  " + address) for address in addresses] or [
        Text("  " + t("selftest.no_address", lang))
    ]
    version_rows = [KeyValue("  " + name, version) for name, version in versions.items()]
    return Receipt(
        [
            Title(t("selftest.title", lang)),
            Feed(1),
            KeyValue(t("selftest.kiosk", lang), kiosk_id or "-"),
            KeyValue(t("selftest.location", lang), location),
            KeyValue(t("selftest.time", lang), format_datetime(now, lang)),
            Separator(),
            Text(t("selftest.addresses", lang)),
            *address_lines,
            Text(t("selftest.versions", lang)),
            *version_rows,
            *([Text(t("selftest.checks", lang)), *(Text("  " + line) for line in checks)] if checks else []),
            Separator(),
            Text(t("selftest.charset", lang)),
            Text(t("selftest.charset_sample", lang)),
            Separator(),
            QrCode(
                f"kiosk:{kiosk_id or '-'}@{now.isoformat(timespec='seconds')}",
                size=5,
                caption=t("selftest.qr", lang),
            ),
            Text(t("selftest.end", lang), align="center"),
            Feed(2),
        ]
    )
