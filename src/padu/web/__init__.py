"""The web application (``padu serve``): server-rendered pages over the same services as
the CLI. Build it with :func:`create_app`."""

from padu.web.app import create_app

__all__ = ["create_app"]
