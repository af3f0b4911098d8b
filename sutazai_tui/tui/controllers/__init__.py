"""Plain classes that carry one feature's flow for the screens (no App type)."""
