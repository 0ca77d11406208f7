"""transmit: a static site generator for technical notes."""

__version__ = "0.1.0"
