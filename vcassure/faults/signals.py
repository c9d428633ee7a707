from django.dispatch import Signal

# A fault was opened (kwargs fault, by, at), sent after the commit.
fault_opened = Signal()

# A fault was restored (kwargs fault, by, at). meetings returns the task to where it was.
fault_restored = Signal()

# A restored fault was opened again (kwargs fault, by, at, reason), sent inside the transaction:
# meetings puts the venue task back in faulty with it.
fault_reopened = Signal()

# A fault was closed (kwargs fault, by, at), sent after the commit.
fault_closed = Signal()
