"""ESC/POS receipt printers: documents, rendering, connections by URL, status and a simulator.

The kiosk builds a :class:`~devices.printer.document.Receipt` (plain dataclasses); the
:class:`~devices.printer.driver.ReceiptPrinter` renders it to ESC/POS for the printer's profile
and sends it over a transport chosen by URL through :mod:`devices.registry` (``usb://``,
``serial://``, ``socket://``, ``file://``; ``sim://`` once the simulators are loaded).

Why the bytes are written here and not by python-escpos: its text path sends Chinese without
``FS &`` and turns full-width punctuation into ``?``, its QR path sends UTF-8 without a raster
fallback choice per printer, its network class defaults to a 60 s timeout and opens lazily, and
its USB class needs pyusb. Every command we send is a few bytes with a documented layout, so the
renderer (``commands.py``) owns them and the tests pin them byte for byte.

python-escpos is used where it does the job: its capabilities database gives the printer models
(``profile=TM-T88V``, :mod:`devices.printer.models`), its ``Dummy`` printer builds the expected
bytes of the golden receipt tests, and it is the baseline in ``benchmarks/bench_receipt.py``.
"""
