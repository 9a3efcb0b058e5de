"""The journey explorer: walks every branch of every scenario through the real screens, checking each."""
