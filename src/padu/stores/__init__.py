"""The two stores: the columnar warehouse (Ibis) and the transactional catalog (SQLAlchemy)."""

from padu.stores.catalog import Catalog
from padu.stores.warehouse import Warehouse

__all__ = ["Catalog", "Warehouse"]
