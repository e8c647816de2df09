"""Recap Journal: session recap journals for coaches, one protected static site per client."""

__version__ = "0.1.0"
