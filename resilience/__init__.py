"""resilience: audit cloud estates for availability and regional resilience."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("resilience-audit")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"
