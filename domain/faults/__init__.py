"""Faults (故障管理, modules 28-30): repair reports and their rectification flow, with response and repair SLAs."""
