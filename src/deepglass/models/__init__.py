"""The model zoo (filled by the network issues)."""
