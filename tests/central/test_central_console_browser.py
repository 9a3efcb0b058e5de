"""The console and /track in a real browser (Debian's chromium, headless, through Playwright):
a kiosk's application goes kiosk → console (found by reference) → 补正 → the kiosk recaptures
through its outbox → 受理 → 审批中 → 办结 → 已寄出 with a tracking number → /track on a phone.

Every page is screenshotted at desktop and phone sizes into out/console-screens/<backend>/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from applications_helpers import applicant, document, jpeg, reference
from playwright.sync_api import Browser, Page, expect, sync_playwright

from central.embedded import EmbeddedCentral
from kiosk.central_client import CentralClient
from kiosk.outbox import Material, Outbox

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "out" / "console-screens"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed: apt-get install chromium (scripts/setup.sh)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield browser
        browser.close()


class Kiosk:
    """A real kiosk's reporting side: enrolled, with its own outbox on disk."""

    def __init__(self, central: EmbeddedCentral, folder: Path) -> None:
        enrolling = CentralClient(central.url)
        reply = enrolling.enrol(central.pairing_code(), "hall-a-kiosk-2", {"name": "大厅A 2号机"},
                                {"kiosk": "0.1.0"})
        enrolling.close()
        self.id, self.secret = reply["kiosk_id"], bytes.fromhex(reply["secret"])
        self.client = CentralClient(central.url, self.id, self.secret, timeout=10)
        self.outbox = Outbox.in_state_dir(folder, self.secret)

    def drain(self) -> None:
        report = self.outbox.drain(self.client)
        assert (report.rejected, report.failed, self.outbox.depth()) == (0, 0, 0), report

    def heartbeat(self, paper: str = "") -> None:
        self.client.heartbeat({
            "kiosk_id": self.id, "sent_at": "2026-12-06T08:00:00Z",
            "devices": {"printer": {"state": "degraded" if paper else "ok", "reason": paper},
                        "idcard": {"state": "ok"}, "camera": {"state": "ok"}},
            "queue_depth": self.outbox.depth(), "versions": {"kiosk": "0.1.0"},
        })


def _shoot(browser: Browser, url: str, folder: Path, name: str, cookies: list) -> None:
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=size, locale="zh-CN")
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto(url)
        page.screenshot(path=str(folder / f"{name}-{size_name}.png"), full_page=True)
        context.close()


def _login(page: Page, base: str, token: str) -> None:
    page.goto(base + "/console/fleet")
    expect(page).to_have_url(base + "/console/login")
    page.fill("input[name=token]", "kc_wrong")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_contain_text("令牌无效")
    page.fill("input[name=token]", token)
    page.click("button[type=submit]")
    expect(page).to_have_url(base + "/console/fleet")


def _act(page: Page, status: str, reason: str = "", tracking: str = "") -> None:
    form = page.locator(f"form.action[data-status={status}]")
    if tracking:
        form.locator("input[name=tracking_number]").fill(tracking)
    if reason:
        form.locator("textarea[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()


def test_application_from_kiosk_to_console_to_track(
    central: EmbeddedCentral, browser: Browser, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    backend = central.state.engine.dialect.name
    shots = SHOTS / backend
    shots.mkdir(parents=True, exist_ok=True)
    kiosk = Kiosk(central, tmp_path)
    person = applicant(4242)
    ref = reference()
    kiosk.outbox.enqueue_submission(
        ref, "new_enterprise", document(person, ref),
        [Material("lease_contract-1.jpg", jpeg("lease, blurred", "#b9b9b9")),
         Material("id_card_copy-1.jpg", jpeg("id card copy"))],
    )
    kiosk.drain()
    kiosk.heartbeat(paper="printer.paper_out")
    kiosk.outbox.enqueue_rating(ref, "new_enterprise", 1, ["slow", "unclear_guidance"], "太慢")
    kiosk.outbox.enqueue_help_call("materials", "new_enterprise", "lease_contract")
    kiosk.drain()
    token = central.token("admin")
    base = central.url

    page = browser.new_page(viewport=DESKTOP)
    _login(page, base, token)
    expect(page.locator(".alerts")).to_contain_text("打印机缺纸")
    expect(page.locator(".alerts")).to_contain_text("呼叫工作人员")

    # Found by the receipt's reference: the search goes straight to its page.
    page.goto(base + "/console/applications")
    page.fill("input[name=reference]", ref)
    page.click("form.filters button[type=submit]")
    expect(page.locator("h1")).to_contain_text(ref)
    url = unquote(page.url)
    assert "/console/applications/" in url
    assert person.name not in url and person.mobile not in url and person.id_number not in url
    expect(page.locator("body")).to_contain_text(person.id_number)  # the admin sees the form
    expect(page.locator(".materials img")).to_have_count(2)
    first = page.locator(".materials img").first
    first.scroll_into_view_if_needed()
    # decode() waits for the bytes (and fails if they are not an image): no race with the load.
    assert first.evaluate("async i => { await i.decode(); return i.naturalWidth; }") == 320

    form = page.locator("form.action[data-status=needs_correction]")
    form.locator("input[value=lease_contract]").check()
    _act(page, "needs_correction", reason="租赁合同照片模糊，请重新拍摄")
    expect(page.locator("h1 .pill")).to_have_text("需补正")

    # The kiosk: 办件查询 names what to recapture; the supplement goes through the outbox.
    status = kiosk.client.post_json(
        "/status-queries", {"reference": ref, "phone_last4": person.last4}
    ).body
    assert [m["id"] for m in status["redo_materials"]] == ["lease_contract"]
    kiosk.outbox.enqueue_supplement(
        ref, [Material("lease_contract-1.jpg", jpeg("lease, sharp"))], status["request_id"]
    )
    kiosk.drain()
    page.reload()
    expect(page.locator("h1 .pill")).to_have_text("已补正")
    expect(page.locator(".materials img")).to_have_count(3)

    _act(page, "accepted", reason="材料齐全")
    expect(page.locator("h1 .pill")).to_have_text("已受理")
    _act(page, "in_review")
    expect(page.locator("h1 .pill")).to_have_text("审批中")
    _act(page, "completed")
    expect(page.locator("h1 .pill")).to_have_text("已办结")
    _act(page, "mailed", tracking="SF1402298765")
    expect(page.locator("h1 .pill")).to_have_text("已寄出")
    expect(page.locator(".timeline li")).to_have_count(7)
    detail_url = page.url

    # The citizen, on a phone, from the receipt's QR.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    track = phone.new_page()
    track.goto(f"{base}/track/{ref}")
    expect(track.locator("body")).not_to_contain_text("已寄出")
    track.screenshot(path=str(shots / "track-ask-phone.png"), full_page=True)
    wrong = "0000" if person.last4 != "0000" else "1111"
    track.fill("input[name=phone_last4]", wrong)
    track.click("button[type=submit]")
    expect(track.locator(".error")).to_contain_text("不匹配")
    track.fill("input[name=phone_last4]", person.last4)
    track.click("button[type=submit]")
    expect(track.locator("h1.status")).to_have_text("已寄出")
    expect(track.locator(".tracking")).to_contain_text("SF1402298765")
    body = track.locator("body").inner_text()
    assert person.name not in body and person.id_number not in body and person.mobile not in body
    assert person.name[0] + "*" in body
    assert track.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    track.screenshot(path=str(shots / "track-phone.png"), full_page=True)
    phone.close()

    # Every console page at both sizes.
    cookies = page.context.cookies()
    pages = {
        "login": "/console/login",
        "fleet": "/console/fleet",
        "kiosk": f"/console/kiosks/{kiosk.id}",
        "applications": "/console/applications",
        "application": detail_url.removeprefix(base),
        "ratings": "/console/ratings",
        "help-calls": "/console/help-calls",
        "audit": "/console/audit",
    }
    for name, path in pages.items():
        _shoot(browser, base + path, shots, name, [] if name == "login" else cookies)
    english = [*cookies, {"name": "kc_lang", "value": "en", "url": base}]
    for name in ("fleet", "application"):
        _shoot(browser, base + pages[name], shots, name + "-en", english)
    page.goto(base + "/console/audit")
    audit = page.locator("table").inner_text()
    for action in ("console.login", "personal_data.view", "application.status"):
        assert action in audit
    assert person.id_number not in audit and person.mobile not in audit
    page.close()
    kiosk.outbox.close()
