"""Chinese ID-card readers: the SAM serial protocol (pyserial) and PC/SC readers (pyscard)."""
