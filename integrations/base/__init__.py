"""The integration backbone every platform package builds on.

`client.PlatformClient` (httpx, idempotency keys, typed failures, every call to the interface log) and
`client.SimplePlatformGateway` (the work order engine's DispatchGateway over the plain `/ops` contract);
`simulator.create_platform_simulator` (a real HTTP stand-in with failure injection and signed callbacks);
`serve.serve` (any ASGI app on a free local port); `signing` (how a third party signs a call to GovOps).
"""
