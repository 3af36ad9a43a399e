"""Settings and credentials: config, the key sources, keyring, TLS, private files, the debug log."""
