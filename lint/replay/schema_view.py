"""The inferred schema as plain data (for JSON) and as text, for `migrate-lint schema`."""

from __future__ import annotations

from migrate_lint.replay.state import DEFAULT, MAYBE, NO, YES, Connection, SchemaState


def _origin(o) -> str | None:
    return str(o) if o is not None else None


def connection_data(conn: Connection, default_name: str | None) -> dict:
    tables = []
    for t in sorted(conn.live_tables(), key=lambda t: t.name.lower()):
        columns = [{"name": c.name, "type": c.ctype, "status": "exists" if c.status == YES
                    else "unknown", "added_by": _origin(c.origin)}
                   for c in t.columns.values() if c.status != NO]
        indexes = [{"name": i.name, "kind": i.kind, "columns": list(i.columns),
                    "status": "exists" if i.status == YES else "unknown",
                    "added_by": _origin(i.origin)}
                   for i in t.indexes.values() if i.status != NO and i.kind != "foreign"]
        fks = [{"name": i.name, "columns": list(i.columns),
                "status": "exists" if i.status == YES else "unknown",
                "added_by": _origin(i.origin),
                "references": {"table": i.references[0], "columns": list(i.references[1])}
                if i.references else None}
               for i in t.indexes.values() if i.status != NO and i.kind == "foreign"]
        tables.append({
            "name": t.name,
            "status": "exists" if t.status == YES else "unknown",
            "created_by": _origin(t.origin),
            "columns_complete": t.complete,
            "primary_key": _primary_key(t),
            "columns": columns, "indexes": indexes, "foreign_keys": fks,
            "unknown": list(t.notes) + ([] if t.origin is not None or t.status != YES else
                                        ["not created by these migrations"]),
        })
    label = conn.name if conn.name != DEFAULT else (
        f"default ({default_name})" if default_name else "default")
    return {
        "connection": label,
        "table_count": sum(1 for t in tables if t["status"] == "exists"),
        "unknown_table_count": sum(1 for t in tables if t["status"] == "unknown"),
        "tables": tables,
        "unknown": list(conn.notes),
    }


def _primary_key(t) -> list[str]:
    """The primary key's columns: an explicit primary index, else the auto-increment column."""
    for i in t.indexes.values():
        if i.kind == "primary" and i.status != NO:
            return list(i.columns)
    return [c.name for c in t.columns.values()
            if c.status != NO and (c.ctype or "").lower().endswith("increments")]


def state_data(state: SchemaState, default_name: str | None) -> list[dict]:
    names = sorted(state.connections, key=lambda n: (n != DEFAULT, n))
    return [connection_data(state.connections[n], default_name) for n in names
            if state.connections[n].tables or state.connections[n].notes]


LEGEND = ("legend: `-- file:line` the migration that created it; `?` may exist (the state "
          "there is unknown); `(may exist)` a table that may exist; `... (other columns "
          "unknown)` more columns may exist; causes of unknown state are listed once per "
          "connection, with the tables they affect")


def render_text(histories: list[dict]) -> str:
    out: list[str] = [LEGEND, ""] if any(h["connections"] for h in histories) else []
    for h in histories:
        out.append(f"# {', '.join(h['directories'])}: {h['migrations']} migration(s)"
                   + (f", starting from {', '.join(h['squashed'])}" if h.get("squashed") else ""))
        for conn in h["connections"]:
            out.append("")
            out.append(f"connection {conn['connection']}: {conn['table_count']} table(s)"
                       + (f", {conn['unknown_table_count']} more that may exist"
                          if conn["unknown_table_count"] else ""))
            causes: dict[str, list[str]] = {}
            for t in conn["tables"]:
                out += _table_lines(t)
                for why in t["unknown"]:
                    causes.setdefault(why, []).append(t["name"])
            for why in conn["unknown"]:
                causes.setdefault(why, [])
            for why, tables in causes.items():
                out.append(f"  unknown because {why}" + (f": {_names(tables)}" if tables else ""))
        out.append("")
    return "\n".join(out)


def _names(tables: list[str], shown: int = 8) -> str:
    more = len(tables) - shown
    head = ", ".join(tables[:shown])
    return f"{head} and {more} more table(s)" if more > 0 else head


def _table_lines(t: dict) -> list[str]:
    mark = "" if t["status"] == "exists" else " (may exist)"
    made = f"  -- {t['created_by']}" if t["created_by"] else "  -- not created by these migrations"
    out = [f"  {t['name']}{mark}{made}"]
    for c in t["columns"]:
        q = "" if c["status"] == "exists" else " ?"
        out.append(f"    {c['name']} {c['type'] or '?'}{q}")
    if not t["columns_complete"]:
        out.append("    ... (other columns unknown)")
    for i in t["indexes"]:
        q = "" if i["status"] == "exists" else " ?"
        out.append(f"    {i['kind']} {i['name']} ({', '.join(i['columns'])}){q}")
    for fk in t["foreign_keys"]:
        q = "" if fk["status"] == "exists" else " ?"
        out.append(f"    foreign {fk['name']} ({', '.join(fk['columns'])}){q}")
    return out


__all__ = ["state_data", "render_text", "MAYBE"]
