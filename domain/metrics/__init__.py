"""Resource monitoring (资源监控, modules 26-27): a metric store of series and samples, rollups 5 min -> hour -> day
with retention per resolution, and panel queries that read the coarsest resolution that answers them."""
