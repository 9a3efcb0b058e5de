"""Generated paper documents for the camera simulator: a lease, a certificate, an ID-card copy.

Drawn with PIL and the WenQuanYi font so the pages carry real Chinese text; every name and ID
number comes from :func:`generate_person`, never a real person. Deterministic per seed.
"""

from __future__ import annotations

import datetime as dt
import random
from functools import lru_cache

import cv2
import numpy as np
import qrcode
from PIL import Image, ImageDraw, ImageFont

from identity.idnumber import TestPerson, generate_person

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
DOCUMENT_KINDS = ("lease", "certificate", "id_copy", "receipt")
# A4 at about 170 dpi: sharp enough after a 13 MP capture, small enough to warp quickly.
A4_SHORT, A4_LONG = 1400, 1980
PAPER = (236, 238, 240)

_CLAUSES = (
    "第一条 房屋基本情况",
    "第二条 租赁期限",
    "第三条 租金及支付方式",
    "第四条 押金",
    "第五条 房屋用途",
    "第六条 双方的权利和义务",
    "第七条 合同的解除",
    "第八条 违约责任",
    "第九条 争议解决",
)
_PHRASES = (
    "甲方将位于大连市甘井子区的房屋出租给乙方使用",
    "乙方应按时足额支付租金",
    "租赁期间房屋的维修责任由甲方承担",
    "乙方不得擅自改变房屋结构和用途",
    "本合同自双方签字之日起生效",
    "租金按月支付，每月五日前付清",
    "水、电、燃气及物业费用由乙方承担",
    "乙方需转租的，应事先征得甲方书面同意",
    "合同期满后乙方享有同等条件下的优先承租权",
    "因不可抗力导致合同无法履行的，双方互不承担责任",
    "本合同一式两份，甲乙双方各执一份，具有同等法律效力",
    "房屋用于经营办公，乙方应依法办理营业执照",
)
_STREETS = ("华北路", "甘井子路", "山东路", "中华西路", "椒金山街道", "泉水街道")


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_PATH, size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines, line = [], ""
    for char in text:
        if draw.textlength(line + char, font=font) > width:
            lines.append(line)
            line = char
        else:
            line += char
    return [*lines, line] if line else lines


def _address(rng: random.Random) -> str:
    return f"辽宁省大连市甘井子区{rng.choice(_STREETS)}{rng.randrange(1, 400)}号{rng.randrange(1, 30)}-{rng.randrange(1, 6)}-{rng.randrange(1, 3)}"


def _seal(draw: ImageDraw.ImageDraw, centre: tuple[int, int], radius: int, text: str) -> None:
    red = (200, 30, 35)
    x, y = centre
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=red, width=max(4, radius // 14))
    star = [
        (x + radius * 0.3 * np.cos(np.pi / 2 + k * np.pi / 5) * (1 if k % 2 == 0 else 0.4),
         y - radius * 0.3 * np.sin(np.pi / 2 + k * np.pi / 5) * (1 if k % 2 == 0 else 0.4))
        for k in range(10)
    ]
    draw.polygon(star, fill=red)
    font = _font(max(12, radius // 5))
    draw.text((x, y + radius * 0.55), text, fill=red, font=font, anchor="mm")


def _lease(rng: random.Random) -> Image.Image:
    page = Image.new("RGB", (A4_SHORT, A4_LONG), PAPER)
    draw = ImageDraw.Draw(page)
    margin = 130
    draw.text((A4_SHORT // 2, 150), "房屋租赁合同", fill=(20, 20, 20), font=_font(72), anchor="mm")
    body = _font(30)
    landlord, tenant = generate_person(rng), generate_person(rng)
    y = 260
    for label, person in (("出租方（甲方）", landlord), ("承租方（乙方）", tenant)):
        draw.text((margin, y), f"{label}：{person.name}", fill=(25, 25, 25), font=body)
        draw.text((margin + 640, y), f"身份证号码：{person.id_number}", fill=(25, 25, 25), font=body)
        y += 52
    draw.text((margin, y), f"房屋坐落：{_address(rng)}", fill=(25, 25, 25), font=body)
    y += 80
    for clause in _CLAUSES[: rng.randrange(6, 9)]:
        if y > A4_LONG - 360:
            break
        draw.text((margin, y), clause, fill=(10, 10, 10), font=_font(34))
        y += 52
        text = "，".join(rng.sample(_PHRASES, 2)) + "。"
        for line in _wrap(draw, "　　" + text, body, A4_SHORT - 2 * margin):
            draw.text((margin, y), line, fill=(30, 30, 30), font=body)
            y += 46
        y += 14
    y = A4_LONG - 260
    draw.text((margin, y), f"甲方（签字）：{landlord.name}", fill=(25, 25, 25), font=body)
    draw.text((A4_SHORT // 2 + 60, y), f"乙方（签字）：{tenant.name}", fill=(25, 25, 25), font=body)
    signed = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
    draw.text((A4_SHORT // 2 + 60, y + 60), f"{signed.year}年{signed.month}月{signed.day}日", fill=(25, 25, 25), font=body)
    return page


def _certificate(rng: random.Random) -> Image.Image:
    page = Image.new("RGB", (A4_LONG, A4_SHORT), (238, 228, 200))
    draw = ImageDraw.Draw(page)
    gold, red = (170, 130, 40), (175, 25, 30)
    draw.rectangle((40, 40, A4_LONG - 40, A4_SHORT - 40), outline=red, width=22)
    draw.rectangle((90, 90, A4_LONG - 90, A4_SHORT - 90), outline=gold, width=8)
    draw.text((A4_LONG // 2, 300), "荣 誉 证 书", fill=red, font=_font(140), anchor="mm")
    person = generate_person(rng)
    body = _font(48)
    year = rng.randrange(2018, 2025)
    draw.text((260, 520), f"{person.name} 同志：", fill=(40, 30, 20), font=body)
    text = f"　　在{year}年度政务服务工作中表现突出，成绩显著，被评为“优秀窗口工作人员”。特发此证，以资鼓励。"
    y = 620
    for line in _wrap(draw, text, body, A4_LONG - 520):
        draw.text((260, y), line, fill=(40, 30, 20), font=body)
        y += 76
    draw.text((A4_LONG - 300, A4_SHORT - 290), "大连市甘井子区行政审批局", fill=(40, 30, 20), font=_font(44), anchor="rm")
    draw.text((A4_LONG - 420, A4_SHORT - 215), f"{year + 1}年1月", fill=(40, 30, 20), font=_font(44), anchor="rm")
    _seal(draw, (A4_LONG - 520, A4_SHORT - 270), 130, "行政审批局")
    return page


def _face(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], rng: random.Random) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    draw.rectangle(box, fill=(232, 236, 240))
    skin = rng.choice(((224, 188, 160), (210, 170, 140), (235, 200, 175)))
    cx = x0 + w // 2
    draw.ellipse((x0 + w * 0.05, y0 + h * 0.72, x1 - w * 0.05, y1 + h * 0.4), fill=(40, 45, 60))
    draw.ellipse((cx - w * 0.27, y0 + h * 0.15, cx + w * 0.27, y0 + h * 0.68), fill=skin)
    draw.chord((cx - w * 0.3, y0 + h * 0.08, cx + w * 0.3, y0 + h * 0.5), 180, 360, fill=(25, 20, 20))
    for ex in (-0.1, 0.1):
        draw.ellipse((cx + w * ex - 6, y0 + h * 0.4 - 4, cx + w * ex + 6, y0 + h * 0.4 + 4), fill=(30, 30, 30))
    draw.line((cx - w * 0.08, y0 + h * 0.56, cx + w * 0.08, y0 + h * 0.56), fill=(150, 80, 80), width=4)


def _id_copy(rng: random.Random) -> Image.Image:
    page = Image.new("RGB", (A4_SHORT, A4_LONG), (244, 244, 242))
    draw = ImageDraw.Draw(page)
    person: TestPerson = generate_person(rng)
    cw, ch = 860, int(860 * 54 / 85.6)
    x0 = (A4_SHORT - cw) // 2
    front, back = (x0, 200, x0 + cw, 200 + ch), (x0, 340 + ch, x0 + cw, 340 + 2 * ch)
    for box in (front, back):
        draw.rounded_rectangle(box, radius=30, fill=(214, 226, 232), outline=(150, 160, 170), width=3)
    ink, small, big = (30, 30, 40), _font(30), _font(34)
    fx, fy = front[0] + 50, front[1] + 50
    draw.text((fx, fy), f"姓名  {person.name}", fill=ink, font=big)
    draw.text((fx, fy + 62), f"性别  {'男' if person.sex == '1' else '女'}    民族  汉", fill=ink, font=small)
    draw.text((fx, fy + 118), f"出生  {person.birth.year}年{person.birth.month}月{person.birth.day}日", fill=ink, font=small)
    for i, line in enumerate(_wrap(draw, "住址  " + _address(rng), small, 480)):
        draw.text((fx, fy + 174 + 42 * i), line, fill=ink, font=small)
    draw.text((fx, front[3] - 80), f"公民身份号码  {person.id_number}", fill=ink, font=big)
    _face(draw, (front[2] - 270, front[1] + 60, front[2] - 50, front[1] + 330), rng)
    bx, by = back[0], back[1]
    _seal(draw, (bx + 130, by + 140), 80, "")
    draw.text((bx + 500, by + 110), "中华人民共和国", fill=ink, font=_font(46), anchor="mm")
    draw.text((bx + 500, by + 200), "居民身份证", fill=ink, font=_font(64), anchor="mm")
    draw.text((bx + 120, back[3] - 140), "签发机关  大连市公安局甘井子分局", fill=ink, font=small)
    start = 2015 + rng.randrange(0, 9)
    draw.text((bx + 120, back[3] - 85), f"有效期限  {start}.03.01-{start + 20}.03.01", fill=ink, font=small)
    note = "仅供办理营业执照使用，再复印无效"
    draw.text((A4_SHORT // 2, back[3] + 150), note, fill=(90, 90, 90), font=_font(40), anchor="mm")
    draw.text((A4_SHORT // 2 + 200, back[3] + 240), f"{person.name}", fill=(20, 30, 120), font=_font(56), anchor="mm")
    return page


def _receipt(qr_text: str) -> Image.Image:
    """A 80 mm thermal 受理回执 (as printed, 576 dots wide, scaled 2×) with its tracking QR."""
    page = Image.new("RGB", (1152, 1700), (250, 250, 246))
    draw = ImageDraw.Draw(page)
    ink = (35, 35, 40)
    draw.text((576, 90), "受理回执", fill=ink, font=_font(72), anchor="mm")
    draw.text((80, 200), "甘井子区行政审批服务大厅 24小时自助区", fill=ink, font=_font(36))
    draw.text((80, 270), "事项：开办企业", fill=ink, font=_font(36))
    code = qrcode.make(qr_text or "none", box_size=14, border=2).convert("RGB")
    page.paste(code, ((1152 - code.width) // 2, 380))
    draw.text((576, 400 + code.height + 40), "扫码查询办理进度", fill=ink, font=_font(40), anchor="mm")
    return page


_RENDERERS = {"lease": _lease, "certificate": _certificate, "id_copy": _id_copy}


@lru_cache(maxsize=12)
def render_document(kind: str, seed: int = 0, qr: str = "") -> np.ndarray:
    """The page as a BGR image (portrait A4 except the landscape certificate; a receipt carries
    ``qr`` as its QR code). Read-only."""
    if kind not in DOCUMENT_KINDS:
        raise ValueError(f"unknown document kind {kind!r}; expected one of {', '.join(DOCUMENT_KINDS)}")
    image = _receipt(qr) if kind == "receipt" else _RENDERERS[kind](random.Random(f"{kind}:{seed}"))
    bgr = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
    bgr.setflags(write=False)
    return bgr
