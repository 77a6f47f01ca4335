"""Administration: staff users (admins only)."""
