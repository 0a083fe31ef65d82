"""corsproof: prove, in real browsers, what CORS and cookies allow."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("corsproof")
except PackageNotFoundError:  # a checkout run without installing it
    __version__ = "0+unknown"
