"""Login through Shanghai's integrated collaborative office platform (协同办公平台) by OpenID Connect.

`client` is the relying party GovOps runs (authorization code + PKCE, ID token checked against the platform's JWKS);
`simulator` is a stateful stand-in for the platform, served over real HTTP in tests and demos, since the real one is
only reachable inside the e-government network.
"""
