"""`schema --format html`: the replayed schema drawn as an inline SVG diagram (er_svg), with a
searchable list of tables, per history and connection."""

from __future__ import annotations

from migrate_lint.report import er_svg


def view(histories: list[dict]) -> list[dict]:
    out, n = [], 0
    for h in histories:
        conns = []
        for c in h["connections"]:
            svg, ids = er_svg.draw(c["tables"], f"er-{n}", first_box=sum(
                len(x["tables"]) for hh in out for x in hh["connections"]))
            targets = {t["name"].lower() for t in c["tables"]}
            for t in c["tables"]:
                t["_box"] = ids[t["name"]]
                t["_outside"] = sorted({f["references"]["table"] for f in t["foreign_keys"]
                                        if f.get("references")
                                        and f["references"]["table"].lower() not in targets})
            conns.append({**c, "svg": svg, "svg_id": f"er-{n}", "list_id": f"tables-{n}"})
            n += 1
        out.append({**h, "connections": conns})
    return out


def render(histories: list[dict]) -> str:
    from migrate_lint.report import page

    return page.render("schema.html.j2", "migrate-lint schema", histories=view(histories))
