"""The whole demo province: the directory, then venues, equipment and fibre routes."""

import ipaddress
import time
from datetime import date, timedelta
from decimal import Decimal

from vcassure.core.errors import ApplicationError
from vcassure.core.services import audit_record
from vcassure.orgs.models import OrgUnit
from vcassure.venues.demo.data import (
    DELIBERATE_SHORTFALLS,
    FINANCE_TOWNSHIP_SHARE,
    FULL_KINDS,
    INTEGRATORS,
    IP_BASE,
    MODELS,
    NETWORKED_KINDS,
    PROVINCE_NAME,
    ROOMS,
    SERIAL_PREFIXES,
    SYSTEMS,
    TOWNSHIP_ROOMS,
)
from vcassure.venues.demo.directory import DirectoryBuilder
from vcassure.venues.models import CustomerSystem, Equipment, FibreRoute, Integrator, Venue


class ProvinceBuilder(DirectoryBuilder):
    """The directory builder, then the venues of every system with their equipment and routes."""

    def build(self, seed: int) -> dict:
        self.build_units()
        self.build_departments()
        self.build_staff()
        logins = self.build_logins()
        self.save_staff()
        venues = self.build_venues()
        equipment, routes = self.build_equipment(venues)
        levels = dict.fromkeys(OrgUnit.LEVEL_ORDER, 0)
        for unit in self.all_units:
            levels[unit.level] += 1
        result = {
            "seed": seed,
            "units": levels,
            "departments": len(self.departments),
            "staff": len(self.staff),
            "emergency_staff": sum(s.is_emergency_mobile for s in self.staff),
            "venues": len(venues),
            "equipment": equipment,
            "fibre_routes": routes,
            "integrators": len(self.integrators),
            "shortfalls": [
                {
                    "code": unit.code,
                    "name": unit.name,
                    "level": s.level,
                    "kind": s.kind,
                    "actual": s.actual,
                }
                for s in DELIBERATE_SHORTFALLS
                for unit in [self.unit_at(s.position)]
            ],
            "logins": logins,
        }
        audit_record(
            actor=None,
            action="demo.seed",
            obj=self.province,
            changes={k: v for k, v in result.items() if k not in ("shortfalls", "logins")},
        )
        result["seconds"] = round(time.perf_counter() - self.started, 2)
        return result

    def build_venues(self) -> list[Venue]:
        rng = self.rng
        systems = {s.code: s for s in CustomerSystem.objects.filter(code__in=SYSTEMS)}
        missing = set(SYSTEMS) - set(systems)
        if missing:
            raise ApplicationError(
                f"Customer systems missing (run migrate): {', '.join(sorted(missing))}"
            )
        venues: list[Venue] = []
        for n, (code, (prefix, agency, *_rest)) in enumerate(SYSTEMS.items()):
            venues.append(
                Venue(
                    code=f"{prefix}-{self.province.code}",
                    name=f"{PROVINCE_NAME}{agency}主会场",
                    system=systems[code],
                    org_unit=self.province,
                    role=Venue.Role.MAIN,
                    address=self.address(self.province),
                    room=rng.choice(ROOMS),
                    primary_staff=self.residents[n],
                    backup_staff=self.residents[(n + 1) % len(self.residents)],
                )
            )
        teams = [(unit, "network_ops") for unit in self.cities] + [
            (unit, "tech_maintenance") for unit in self.counties
        ]
        for unit, kind in teams:
            regulars, emergencies = self.members[(unit.code, kind)]
            for n, (code, (prefix, _province_agency, agency, *_rest)) in enumerate(SYSTEMS.items()):
                primary = regulars[n % len(regulars)]  # spread the three systems over the regulars
                backups = [s for s in regulars if s is not primary] + emergencies
                venues.append(
                    Venue(
                        code=f"{prefix}-{unit.code}",
                        name=f"{unit.name}{agency}分会场",
                        system=systems[code],
                        org_unit=unit,
                        address=self.address(unit),
                        room=rng.choice(ROOMS),
                        primary_staff=primary,
                        backup_staff=backups[0] if backups else None,
                    )
                )
        for township in self.townships:
            county_regulars = self.members[(township.code[:6], "tech_maintenance")][0]
            for code, (prefix, _province_agency, _agency, agency, _terminals) in SYSTEMS.items():
                if code == "finance" and rng.random() >= FINANCE_TOWNSHIP_SHARE:
                    continue
                if code == "government" and township.name.endswith("街道"):
                    agency = "办事处"
                venues.append(
                    Venue(
                        code=f"{prefix}-{township.code}",
                        name=f"{township.name}{agency}分会场",
                        system=systems[code],
                        org_unit=township,
                        address=self.address(township),
                        room=rng.choice(TOWNSHIP_ROOMS),
                        primary_staff=self.township_person.get(township.code),
                        backup_staff=county_regulars[rng.randrange(len(county_regulars))],
                    )
                )
        Venue.objects.bulk_create(venues, batch_size=500)
        self.log(f"venues: {len(venues)}")
        return venues

    def build_equipment(self, venues: list[Venue]) -> tuple[int, int]:
        rng = self.rng
        self.integrators = [
            Integrator(
                name=name,
                contact_name=contact,
                contact_phone=self.mobile(),
                email=f"service{n + 1}@integrator{n + 1}.example",
            )
            for n, (name, contact) in enumerate(INTEGRATORS)
        ]
        Integrator.objects.bulk_create(self.integrators)
        integrator_of = {
            city.code: self.integrators[i % len(self.integrators)]
            for i, city in enumerate(self.cities)
        }
        integrator_of[self.province.code] = self.integrators[0]
        equipment: list[Equipment] = []
        routes: list[FibreRoute] = []
        first_day = date(2018, 1, 1)
        for v, venue in enumerate(venues):
            unit = venue.org_unit
            city_code = unit.code[:4] + "00" if unit.level != "province" else unit.code
            integrator = integrator_of[city_code]
            if unit.level == "township":
                kinds = ["terminal", "switch", "optical"] + (["ups"] if rng.random() < 0.4 else [])
            else:
                kinds = FULL_KINDS
            installed_on = first_day + timedelta(days=rng.randrange(365 * 7))
            host = 0
            for kind in kinds:
                model = rng.choice(
                    SYSTEMS[venue.system.code][4] if kind == "terminal" else MODELS[kind]
                )
                ip = None
                if kind in NETWORKED_KINDS:
                    host += 1
                    ip = str(ipaddress.IPv4Address(IP_BASE + v * 8 + host))
                serial = f"{SERIAL_PREFIXES[model.split()[0]]}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{len(equipment) + 1:08d}"
                equipment.append(
                    Equipment(
                        venue=venue,
                        kind=kind,
                        model=model,
                        serial_number=serial,
                        management_ip=ip,
                        integrator=None if kind == "optical" else integrator,
                        installed_on=installed_on,
                    )
                )
            if unit.level != "township" or rng.random() < 0.2:
                origin = unit if unit.level != "township" else self.unit_by_code[unit.code[:6]]
                routes.append(
                    FibreRoute(
                        venue=venue,
                        name=f"{unit.name}{venue.system.name[:2]}专线光缆",
                        from_site=f"{origin.name}{'核心' if origin.level in ('province', 'city') else '汇聚'}机房",
                        length_km=Decimal(
                            f"{rng.uniform(0.5, 6 if unit.level != 'township' else 25):.2f}"
                        ),
                        description=f"{rng.choice(['管道', '架空', '直埋'])}敷设，{rng.choice([12, 24, 48])} 芯",
                    )
                )
        Equipment.objects.bulk_create(equipment, batch_size=1000)
        FibreRoute.objects.bulk_create(routes, batch_size=500)
        self.log(f"equipment: {len(equipment)}, fibre routes: {len(routes)}")
        return len(equipment), len(routes)
