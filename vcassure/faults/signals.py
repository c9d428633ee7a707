from django.dispatch import Signal

# A fault was restored (kwargs fault, by, at). meetings returns the task to where it was.
fault_restored = Signal()
