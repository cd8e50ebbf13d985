"""uvmfuzz command internals (standard library only)."""
