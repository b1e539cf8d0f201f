"""The REST API v1 (``/api/v1``): bearer tokens, the role rules of :mod:`padu.access`,
errors in one JSON shape, every response documented in ``/openapi.json``.

- ``GET /api/v1/snapshots``: the register's snapshots;
- ``GET /api/v1/mpi``: Padu-7 by region (suppressed for viewers);
- ``POST /api/v1/ibr/enrolled``: which programmes NIKs or KKs are enrolled in;
- ``GET /api/v1/jobs/{id}``: a background job's state.
"""

from padu.web.api.routes import router

__all__ = ["router"]
