"""Assets (资产管理, modules 22-25): the equipment catalogue, the instances in the field, their lifecycle (end-of-life
and warranty reminders, upgrades, entry/exit inspections) and their faults."""
