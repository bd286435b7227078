"""The four 5G carriers (module 33): CBN 广电, TELECOM 电信, MOBILE 移动, UNICOM 联通.

`numbers` (ICCID/MSISDN/IMSI checks and generation), `plans` (each carrier's plan catalogue), `schemas` (the wire
contract), `sim_state` + `simulator` (a carrier as a real HTTP server on the base simulator), `gateway` (GovOps's
dispatch gateways and traffic reader). Platform names: carrier_cbn, carrier_telecom, carrier_mobile, carrier_unicom.
"""
