"""Serve an ASGI app over real HTTP in the running event loop: simulators in tests and the embedded demo."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

import uvicorn


@asynccontextmanager
async def serve(
    app: Any, *, host: str = "127.0.0.1", port: int = 0, lifespan: Literal["auto", "on", "off"] = "off", **config: Any
) -> AsyncIterator[str]:
    """`async with serve(app) as base_url:` runs uvicorn on a free port (or `port`) until the block ends."""
    # Bind first and hand uvicorn the socket: no window in which another process takes a "free" port.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    options: dict[str, Any] = {"log_level": "warning", "timeout_graceful_shutdown": 1, **config}
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=bound, lifespan=lifespan, **options))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # re-raise what stopped it
                raise RuntimeError(f"uvicorn stopped before it started on {host}:{bound}")
            await asyncio.sleep(0.005)
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        try:
            await task
        finally:
            sock.close()
