"""Helpers for the application tests: a generated applicant's document and a kiosk submission."""

from __future__ import annotations

import base64
import io
import random
import uuid
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from central.departments import catalog_items
from identity.idnumber import generate_person

ITEMS = [
    {"id": "setup_registration", "title": "设立登记", "department": "?"},
    {"id": "seal_engraving", "title": "公章刻制", "department": "?"},
]
MATERIALS = [
    {"id": "lease_contract", "name": "租赁合同", "pages": 1},
    {"id": "id_card_copy", "name": "身份证复印件", "pages": 1},
]
# The departments the catalog routes these two items to.
LICENCE_DEPT = catalog_items()["setup_registration"].department
SEAL_DEPT = catalog_items()["seal_engraving"].department


@dataclass
class Applicant:
    name: str
    id_number: str
    mobile: str

    @property
    def last4(self) -> str:
        return self.mobile[-4:]


def applicant(seed: int) -> Applicant:
    rng = random.Random(seed)
    person = generate_person(rng)
    mobile = "1" + rng.choice("3589") + "".join(str(rng.randrange(10)) for _ in range(9))
    return Applicant(person.name, person.id_number, mobile)


def jpeg(label: str, colour: str = "#cfe0f5") -> bytes:
    image = Image.new("RGB", (320, 220), colour)
    ImageDraw.Draw(image).rectangle((20, 20, 300, 200), outline="#345", width=4)
    ImageDraw.Draw(image).text((40, 100), label, fill="#123")
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def document(person: Applicant, reference: str) -> dict[str, Any]:
    return {
        "schema": "kiosk24.submission/1",
        "reference": reference,
        "scenario": {"id": "new_enterprise", "kind": "new-enterprise", "title": "开办企业"},
        "applicant": {
            "applicant.name": person.name,
            "applicant.id_number": person.id_number,
            "applicant.mobile": person.mobile,
        },
        "answers": {"enterprise.name": "大连鑫源商贸有限公司", "applicant.mobile": person.mobile},
        "items": ITEMS,
        "materials": MATERIALS,
        "delivery": {"method": "mail", "address": "甘井子区华北路1号"},
    }


def reference() -> str:
    return "GJZ-20261206-" + uuid.uuid4().hex[:5].upper() + "-T"


def submission(person: Applicant, ref: str) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "reference": ref,
        "scenario": "new_enterprise",
        "document": document(person, ref),
        "materials": [
            {"name": f"{m['id']}-1.jpg", "content_type": "image/jpeg",
             "data_b64": base64.b64encode(jpeg(m["id"])).decode()}
            for m in MATERIALS
        ],
    }
