"""One router module per resource; :func:`padu.web.create_app` includes them all."""
