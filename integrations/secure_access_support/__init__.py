"""The secure access support platform (互联网安全加密接入支撑平台, module 34): accounts, repair tickets, usage.

GovOps dispatches account open / change / revoke and fault reports to it over the base `/ops` contract, and pulls
the platform's usage feed (logins, logouts, abnormal-behaviour alerts) with a cursor so each event is taken once.

`schemas` (the wire contract), `sim_state` + `sim_usage` + `simulator` (the platform as a real HTTP server on the
base simulator), `gateway` (GovOps's dispatch gateway and usage feed reader). Platform name: secure_access_support.
"""

PLATFORM = "secure_access_support"
