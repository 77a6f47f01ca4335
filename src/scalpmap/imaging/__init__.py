"""Image analysis: arrays in, frozen dataclasses out."""
