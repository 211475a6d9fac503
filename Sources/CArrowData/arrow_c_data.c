// Intentionally empty: this target exports the Arrow C Data Interface header only.
