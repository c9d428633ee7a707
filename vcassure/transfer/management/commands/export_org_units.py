from vcassure.transfer.management.commands._directory import ExportCommand


class Command(ExportCommand):
    help = "Export the org units the user may see to an xlsx file (the import's format)."
    kind = "org_units"
