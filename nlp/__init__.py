"""Vietnamese text processing: normalize → sentences/segment → fold. Pure functions, no I/O beyond bundled models."""
