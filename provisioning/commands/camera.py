"""``kiosk-provision camera test``: open the document camera, capture one page, judge it."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from devices.camera import DocumentCamera, PageKind
from devices.camera.errors import NoDocumentError
from kiosk.i18n import t


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    camera = subparsers.add_parser("camera", help="test the document camera (高拍仪)")
    actions = camera.add_subparsers(dest="camera_command", metavar="ACTION", required=True)
    test = actions.add_parser("test", help="open the camera, capture one page and print the quality verdict")
    test.add_argument("--url", required=True, help="camera://0, camera:///dev/video0, file:///x.jpg "
                      "(sim://camera?doc=lease with KIOSK_DEVICE_HANDLERS=devices.simulators)")
    test.add_argument("--out", type=Path, help="folder to write the captured page JPEG into")
    test.add_argument("--kind", default=PageKind.TEXT.value, choices=[k.value for k in PageKind],
                      help="text: black on white; certificate / id_copy: colour kept")
    test.set_defaults(handler=camera_test)


def camera_test(args: argparse.Namespace) -> int:
    camera = DocumentCamera(args.url)
    status = camera.open()
    try:
        width, height = camera.resolution()
        print(f"camera: {args.url.split('?')[0]}")
        print(f"state: {status.state.value} ({t(status.reason, 'en')})")
        print(f"resolution: {width}x{height} ({width * height / 1e6:.1f} MP)")
        started = time.perf_counter()
        try:
            page = camera.capture_page(args.kind)
        except NoDocumentError as error:
            print(f"quality: no_document ({t(error.key, 'en')})")
            return 1
        elapsed = time.perf_counter() - started
    finally:
        camera.close()
    print(f"page: {page.width}x{page.height} {page.kind.value}, {len(page.jpeg) // 1024} KiB JPEG, "
          f"outline by {page.method}, captured in {elapsed * 1000:.0f} ms")
    report = page.quality
    print(f"sharpness {report.sharpness:.3f}, brightness {report.brightness:.0f}, glare {report.glare_fraction:.2%}")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        target = args.out / f"camera-test-{time.strftime('%Y%m%d-%H%M%S')}.jpg"
        target.write_bytes(page.jpeg)
        print(f"written: {target}")
    if report.ok:
        print(f"quality: ok ({t('camera.quality.ok', 'en')})")
        return 0
    for key in report.keys:
        print(f"quality: {key.rsplit('.', 1)[-1]} ({t(key, 'en')})")
    return 1
