"""No import cycles between the platform's modules (tests and migrations aside): every app's
modules depend one way, as import-linter's per-app layers say, and the notifications app no longer
loops escalation ↔ outbox ↔ services ↔ tasks."""

import grimp


def test_no_module_imports_itself_back():
    graph = grimp.build_graph("vcassure", exclude_type_checking_imports=True)
    modules = {m for m in graph.modules if ".tests" not in m and ".migrations" not in m}
    cycles = []
    for module in sorted(modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in modules or imported == module:
                continue
            # a package and its own submodules (re-exports in __init__) are one unit
            if imported.startswith(module + ".") or module.startswith(imported + "."):
                continue
            if graph.find_shortest_chain(importer=imported, imported=module):
                cycles.append(f"{module} <-> {imported}")
    assert cycles == []
