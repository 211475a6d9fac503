// Profiling: phase timers, memory sampling, bottleneck analysis, reports, bench suite. See issue 7.
