"""The one typed settings object. Only entry points (CLI, web) build it."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where Padu keeps its two stores.

    The embedded default is one folder, ``PADU_HOME`` (``./padu-data``), holding
    ``warehouse.duckdb`` and ``catalog.sqlite``. A server deployment points both URLs at
    PostgreSQL.
    """

    model_config = SettingsConfigDict(env_prefix="PADU_", extra="ignore")

    home: Path = Field(default=Path("padu-data"))
    warehouse_url: str | None = None
    catalog_url: str | None = None

    def resolved_warehouse_url(self) -> str:
        """The warehouse URL, defaulting to a DuckDB file inside ``home``."""
        return self.warehouse_url or f"duckdb://{(self.home / 'warehouse.duckdb').resolve()}"

    def resolved_catalog_url(self) -> str:
        """The catalog URL, defaulting to a SQLite file inside ``home``."""
        return self.catalog_url or f"sqlite:///{(self.home / 'catalog.sqlite').resolve()}"
