from ninja import Schema


class CustomerSystemOut(Schema):
    code: str
    name: str


class VenueOut(Schema):
    id: int
    code: str
    name: str
    system: str
    org_unit: int
    level: str
    role: str
    address: str
    primary_staff: int | None
    backup_staff: int | None

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.code

    @staticmethod
    def resolve_org_unit(obj) -> int:
        return obj.org_unit_id

    @staticmethod
    def resolve_level(obj) -> str:
        return obj.org_unit.level

    @staticmethod
    def resolve_primary_staff(obj) -> int | None:
        return obj.primary_staff_id

    @staticmethod
    def resolve_backup_staff(obj) -> int | None:
        return obj.backup_staff_id


class EquipmentOut(Schema):
    id: int
    kind: str
    model: str
    serial_number: str
    management_ip: str | None
    integrator: str | None

    @staticmethod
    def resolve_integrator(obj) -> str | None:
        return obj.integrator.name if obj.integrator_id else None


class VenueDetailOut(VenueOut):
    equipment: list[EquipmentOut]

    @staticmethod
    def resolve_equipment(obj) -> list:
        return list(obj.equipment.all())
