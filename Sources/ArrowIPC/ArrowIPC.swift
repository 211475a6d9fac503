// Arrow IPC stream reader -> Arrow C Data Interface. See issue 4.
