"""Chinese ID-card readers: the SAM serial protocol (pyserial) and PC/SC readers (pyscard).

SAM_V serial readers, one module per concern:

* ``factory.open_reader(url)``: the reader a URL names (serial, pty, ``loop://``, ``sim://idcard``);
* ``sam_reader``: the driver (find → select → read → appended address, SAM ID and status);
* ``sam_poller``: the worker thread reporting cards placed / removed and the device state;
* ``sam_frames`` / ``sam_status``: frame encoding, the stream decoder, the SW3 table;
* ``text_block``: the 256-byte text of the four card types; ``codes``: sex and nation tables;
* ``outcome``: ok / expired / not yet valid / invalid number; ``photo``: pluggable WLT decoder;
* ``sam_simulator`` + ``sam_cards``: a protocol-exact simulated reader on a pty, with faults;
* ``errors``: the reader's exceptions, each with a stable i18n key.
"""
