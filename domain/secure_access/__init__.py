"""Internet secure encrypted access (互联网安全加密接入, modules 2, 11-13, 17-18, 21, 34): the accounts government
staff use to reach extranet systems from the internet, their MAC bindings and accessible systems, the open /
change / revoke work orders dispatched to the secure access support platform, and its usage feed."""
