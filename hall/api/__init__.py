"""The hall's HTTP API, one router per area (tickets, windows, staff, events, sync, citizens,
follow page), each built from the same `ApiContext`; `hall.server.create_app` assembles them.

A new route goes in the module of its area; a new area is a module here with a `router(ctx)`
function, added to `hall.server.ROUTERS`, and its rows in `tests/api/authz_matrix.py`.
"""
