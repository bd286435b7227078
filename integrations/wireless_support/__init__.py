"""The wireless support platform (无线网业务支撑平台, module 35): terminal security control accounts and their alerts.

`schemas` (the wire contract), `sim_state` + `simulator` (the platform as a real HTTP server on the base simulator,
pushing terminal-behaviour alerts to GovOps as a signed persisted-operation call), `gateway` (GovOps's dispatch
gateway and user-sync reader). Platform name: wireless_support.
"""

PLATFORM = "wireless_support"
