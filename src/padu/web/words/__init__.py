"""The words of each page, one module per page (merged by :mod:`padu.web.i18n`)."""
