"""The interface log (接口调用日志): every call GovOps makes to an external platform, and every callback it receives.

`ports.py` is what integrations hand in (a `CallRecord`, already redacted) and may import; `models.py` and
`repository.py` store and read the log for the operations screen, each row sealed so that tampering shows.
"""
