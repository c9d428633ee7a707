"""Fault pages: the network operations queue, the fault page with its timeline and actions, the
assignee's phone page, the 96311 hotline form and guidance. Another scope's fault is a 404."""
