"""The receipts the kiosk prints, as printer documents: the 受理回执 and the self-test page.

Every label comes from ``assets/i18n/<lang>/printer.yaml`` through :func:`kiosk.i18n.t`. The
receipt holds only masked identity data; the same document can be shown on screen when the
printer is out (its reference and QR).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

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

# Below this width the items are listed one under another instead of as a three-column table.
TABLE_MIN_COLUMNS = 40


@dataclass(frozen=True)
class ReceiptItem:
    title: str
    department: str
    promised_days: int | None


@dataclass
class AcceptanceReceipt:
    """What a 受理回执 says; names and ID numbers arrive already masked."""

    reference: str
    applicant_name_masked: str
    id_number_masked: str
    scenario_title: str
    items: list[tuple[str, str, int | None]]
    materials: list[str]
    delivery: str
    delivery_address: str
    created_at: datetime
    location: str
    kiosk_id: str
    track_url: str


def example_receipt(seed: int = 7) -> AcceptanceReceipt:
    """A typical 受理回执 for a generated person (tests, benchmarks, a technician's preview)."""
    person = generate_person(random.Random(seed))
    return AcceptanceReceipt(
        reference="SL20240601-000123",
        applicant_name_masked=keep_ends(person.name, 1),
        id_number_masked=mask(person.id_number),
        scenario_title="开办企业“一件事”（有限责任公司设立）",
        items=[
            ("企业设立登记", "区市场监督管理局", 3),
            ("公章刻制备案", "市公安局", 0),
            ("申领发票及税控设备", "区税务局", None),
        ],
        materials=["身份证（已读取）", "公司章程", "住所使用证明（租赁合同）"],
        delivery="免费邮寄",
        delivery_address="辽宁省大连市甘井子区示例路88号2单元501室",
        created_at=datetime(2024, 6, 1, 9, 5),
        location="甘井子区行政审批服务大厅 24小时自助区",
        kiosk_id="GJZ-24H-03",
        track_url="https://zwfw.example.cn/track?ref=SL20240601-000123",
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


def promised_time(days: int | None, lang: str = DEFAULT_LANGUAGE) -> str:
    if days is None:
        return t("receipt.days_unknown", lang)
    if days == 0:
        return t("receipt.days_immediate", lang)
    return t("receipt.days", lang, days=days)


def _items(data: AcceptanceReceipt, width_columns: int, lang: str) -> list:
    items = [ReceiptItem(*item) for item in data.items]
    if width_columns >= TABLE_MIN_COLUMNS:
        headers = (
            t("receipt.col_item", lang),
            t("receipt.col_department", lang),
            t("receipt.col_days", lang),
        )
        rows = tuple((i.title, i.department, promised_time(i.promised_days, lang)) for i in items)
        return [Table(headers, rows)]
    elements: list = []
    for number, item in enumerate(items, 1):
        elements += [
            Text(f"{number}. {item.title}", bold=True),
            KeyValue(t("receipt.department", lang), item.department),
            KeyValue(t("receipt.days_label", lang), promised_time(item.promised_days, lang)),
        ]
    return elements


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
