from vcassure.transfer.management.commands._directory import ImportCommand


class Command(ImportCommand):
    help = "Import staff from an xlsx file (the transfer page's template): every row checked, nothing written unless all are valid; errors by row and column, exit code 1."
    kind = "staff"
