"""PC/SC smart-card readers through pcscd, and the social security card (社会保障卡) driver.

Modules: ``reader`` (contexts, reader list, ATR, APDU exchange), ``monitor`` (insert/remove
events in a worker thread), ``sscard`` (SSSE EF05/EF06 → IdentityRecord; ``open_sscard_reader``),
``sscard_layout`` (AID, tags, codecs), ``errors``/``health`` (typed errors, device states),
``url`` (``pcsc://`` URLs), ``virtual_card`` and ``testbed`` (the simulator on a real pcscd).
"""
