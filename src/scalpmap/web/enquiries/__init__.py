"""Enquiries: the public form (no sign-in) and the staff inbox that turns them into cases."""
