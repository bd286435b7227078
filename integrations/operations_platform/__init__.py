"""The Big Data Center's integrated operations platform (一体化运营平台, seed module 36): GovOps pushes the extranet's
security alerts to it (border attacks, threat sources, terminals and users behaving abnormally). `gateway` is
GovOps's side, `simulator` a stateful stand-in served over real HTTP for tests and the demo."""

PLATFORM = "operations_platform"
