"""``padu serve``: the web app on this machine.

uvicorn's own proxy-header handling is switched off: whether ``X-Forwarded-Proto`` and
``X-Forwarded-For`` are believed is one setting of the app (``PADU_TRUST_PROXY``), not a
default that trusts any local process. Demo mode (``--demo`` or ``PADU_DEMO``) lets the
demo accounts sign in, whose passwords ``make demo`` prints and the documentation
publishes, so it listens only on this machine (a loopback address).
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from padu.cli._common import app, out, state_of
from padu.errors import UsageError


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Alamat yang didengar (bawaan hanya komputer ini).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port HTTP.")] = 8000,
    demo: Annotated[
        bool, typer.Option("--demo", help="Mode demo: akun demo (make demo) boleh masuk.")
    ] = False,
) -> None:
    """Jalankan aplikasi web Padu (Beranda, peta, halaman kerja) di http://HOST:PORT."""
    import uvicorn

    from padu.web import create_app
    from padu.web.config import web_settings
    from padu.web.errors import log_config

    settings = web_settings(state_of(ctx).settings).model_copy(update={"warm_up": True})
    if demo:
        settings = settings.model_copy(update={"demo": True})
    if settings.demo and not is_loopback(host):
        raise UsageError(
            f"--host {host}: mode demo hanya boleh mendengar di komputer ini (127.0.0.1 "
            "atau localhost), karena kata sandi akun demo bersifat publik. Jalankan tanpa "
            "--demo (dan tanpa PADU_DEMO) untuk melayani jaringan."
        )
    web = create_app(settings)
    mode = " dalam mode demo" if settings.demo else ""
    out.print(f"Padu berjalan{mode} di http://{host}:{port}/ (hentikan dengan Ctrl+C)")
    uvicorn.run(
        web,
        host=host,
        port=port,
        proxy_headers=False,
        server_header=False,
        log_level="info",
        log_config=log_config(),  # NIK/KK-like digit runs masked in every log line
    )


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address of this machine only (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]").lower()
    if name in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
