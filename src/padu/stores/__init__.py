"""The two stores: the columnar warehouse (Ibis) and the transactional catalog (SQLAlchemy).

Open them together with :func:`open_stores`, which refuses a catalog that is not the
warehouse's own.
"""

from padu.stores.catalog import Catalog
from padu.stores.identity import StoreMismatch, open_stores
from padu.stores.warehouse import Warehouse

__all__ = ["Catalog", "StoreMismatch", "Warehouse", "open_stores"]
