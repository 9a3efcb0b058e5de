"""Who the citizen is: the identity record both card readers yield, and the ID-number rules.

A leaf package: it imports nothing of ``devices``, ``kiosk``, ``screens`` or ``central``, so
the readers, the form validators, the log masking and the receipts share one definition.

* ``idnumber``: 公民身份号码 check digit, structure, masking, generated test people;
* ``record``: :class:`~identity.record.IdentityRecord`, what a card read yields;
* ``outcome``: whether a read card is usable (ok / expired / not yet valid / bad number).
"""
