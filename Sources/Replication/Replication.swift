// Replication: config, planning, type mapping, strategies, load modes, run records. See issue 6.
