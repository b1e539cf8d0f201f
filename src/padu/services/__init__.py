"""The service layer: what every interface (CLI, web pages, REST API) calls.

A service takes resolved inputs (open stores, a snapshot id, parsed options) and the
``actor`` who asks, records its own audit event, and returns a typed result (a pydantic
model) that a renderer turns into a terminal table, JSON, a page or a workbook. Services
never import FastAPI, Typer or Rich, so the CLI and the web cannot drift apart.
"""
