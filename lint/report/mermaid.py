"""`schema --format mermaid`: the replayed schema as mermaid `erDiagram` blocks in Markdown, which
GitHub and GitLab render. Tables with their columns and types, primary, foreign and unique keys,
foreign keys as relationships, and what the replay could not know marked as such.

Mermaid refuses a diagram over 50,000 characters (maxTextSize) or 500 edges (maxEdges) by
default: a bigger schema is split by connection, then into groups of tables joined by foreign
keys, and each part says so in a comment line. A table drawn in another part appears without
columns where a relationship needs it.
"""

from __future__ import annotations

import re

from migrate_lint.record import field, record

MAX_TEXT = 50_000
MAX_EDGES = 500
TEXT_BUDGET = MAX_TEXT - 2_000  # room for the comment lines
_SAFE_ENTITY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SAFE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
# Words mermaid's erDiagram lexer reads as keywords (case-insensitively), whatever the context.
_KEYWORDS = {"erdiagram", "style", "classdef", "class", "subgraph", "end", "one", "many",
             "only", "to", "optionally", "zero", "direction", "acctitle", "accdescr", "title",
             "u", "pk", "fk", "uk"}


def entity(name: str) -> str:
    if _SAFE_ENTITY.match(name) and name.lower() not in _KEYWORDS:
        return name
    return '"' + re.sub(r'["%\\\r\n]', "_", name) + '"'


def _word(text: str | None, fallback: str) -> str:
    """An attribute type or name mermaid's lexer accepts."""
    if not text:
        return fallback
    out = re.sub(r"[^A-Za-z0-9_]", "_", text)
    if not out[0].isalpha():
        out = fallback[0] + "_" + out
    if out.lower() in _KEYWORDS:
        out += "_"
    return out


def _comment(text: str) -> str:
    return '"' + text.replace('"', "'").replace("\n", " ") + '"'


def entity_block(t: dict) -> list[str]:
    pk = set(t.get("primary_key") or [])
    fk = {c for f in t["foreign_keys"] for c in f["columns"][:1]}
    uk = {i["columns"][0] for i in t["indexes"] if i["kind"] == "unique" and len(i["columns"]) == 1}
    lines = [f"    {entity(t['name'])} {{"]
    if t["status"] != "exists":
        lines.append('        note table_may_not_exist "the replay cannot tell whether it exists"')
    for c in t["columns"]:
        name = _word(c["name"], "c")
        keys = [k for k, on in (("PK", c["name"] in pk), ("FK", c["name"] in fk),
                                ("UK", c["name"] in uk)) if on]
        notes = []
        if name != c["name"]:
            notes.append(c["name"])
        if c["status"] != "exists":
            notes.append("may not exist")
        lines.append(f"        {_word(c['type'], 'unknown')} {name}"
                     + (" " + ", ".join(keys) if keys else "")
                     + (" " + _comment("; ".join(notes)) if notes else ""))
    if not t["columns_complete"]:
        lines.append('        note other_columns_unknown "columns the migrations do not name"')
    lines.append("    }")
    return lines


def relationships(tables: list[dict]) -> list[tuple[str, str, str, bool]]:
    """(child, parent, label, unknown) for each foreign key whose target is known."""
    out = []
    for t in tables:
        for f in t["foreign_keys"]:
            ref = f.get("references")
            if not ref or ref["table"] == "?":
                continue
            unknown = f["status"] != "exists" or t["status"] != "exists"
            out.append((t["name"], ref["table"], ", ".join(f["columns"]) or "?", unknown))
    return out


def _edge(child: str, parent: str, label: str, unknown: bool) -> str:
    line = "}o..||" if unknown else "}o--||"  # dotted: a key that may not exist
    return f"    {entity(child)} {line} {entity(parent)} : {_comment(label)}"


@record
class Part:
    tables: list[dict] = field(default_factory=list)
    edges: list[tuple] = field(default_factory=list)
    text: str = ""


def _groups(tables: list[dict], edges) -> list[list[dict]]:
    """Tables joined by foreign keys, each group in name order, groups by their first table."""
    by_name = {t["name"].lower(): t for t in tables}
    parent = {k: k for k in by_name}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for child, target, _, _ in edges:
        a, b = child.lower(), target.lower()
        if a in parent and b in parent:
            parent[find(a)] = find(b)
    groups: dict[str, list[dict]] = {}
    for t in tables:
        groups.setdefault(find(t["name"].lower()), []).append(t)
    return list(groups.values())


def _render(header: list[str], part_tables: list[dict], edges) -> tuple[str, list]:
    names = {t["name"].lower() for t in part_tables}
    lines = ["erDiagram", *header]
    for t in part_tables:
        lines += entity_block(t)
    mine = [e for e in edges if e[0].lower() in names]
    lines += [_edge(*e) for e in mine]
    return "\n".join(lines) + "\n", mine


def split(tables: list[dict], header: list[str]) -> list[Part]:
    edges = relationships(tables)
    text, mine = _render(header, tables, edges)
    if len(text) <= TEXT_BUDGET and len(mine) <= MAX_EDGES:
        return [Part(tables, mine, text)]
    sizes = {t["name"]: len("\n".join(entity_block(t))) + 1 for t in tables}
    out_edges = {}
    for e in edges:
        out_edges.setdefault(e[0].lower(), []).append(e)
    parts: list[Part] = [Part()]
    used = [0, 0]  # characters, edges of the last part

    def place(t):
        cost = sizes[t["name"]] + sum(len(_edge(*e)) + 1 + len(e[1]) + 6
                                      for e in out_edges.get(t["name"].lower(), []))
        n = len(out_edges.get(t["name"].lower(), []))
        if parts[-1].tables and (used[0] + cost > TEXT_BUDGET or used[1] + n > MAX_EDGES):
            parts.append(Part())
            used[0] = used[1] = 0
        parts[-1].tables.append(t)
        used[0] += cost
        used[1] += n

    for group in sorted(_groups(tables, edges), key=lambda g: -len(g)):
        for t in group:
            place(t)
    for p in parts:
        p.text, p.edges = _render(header, p.tables, edges)
    return parts


def diagrams(connection: dict) -> list[str]:
    """The erDiagram text(s) of one connection, each within mermaid's default limits."""
    label = connection["connection"]
    tables = connection["tables"]
    head = [f"    %% connection {label}: {len(tables)} table(s), by migrate-lint schema"]
    parts = split(tables, head)
    if len(parts) == 1:
        return [parts[0].text]
    out = []
    edges = relationships(tables)
    for i, p in enumerate(parts, 1):
        note = (f"    %% part {i} of {len(parts)} of connection {label}: split to stay under "
                f"mermaid's limits ({MAX_TEXT:,} characters, {MAX_EDGES} relationships); "
                "tables without columns here are drawn in another part")
        p.text, _ = _render([head[0], note], p.tables, edges)
        out.append(p.text)
    return out


def render(histories: list[dict]) -> str:
    out: list[str] = []
    for h in histories:
        out.append(f"## Schema of {', '.join(h['directories'])}")
        out.append("")
        out.append(f"{h['migrations']} migration(s) replayed by migrate-lint"
                   + (f", starting from {', '.join(h['squashed'])}" if h.get("squashed") else "")
                   + ". Dotted relationships and notes mark what the replay cannot know.")
        out.append("")
        for conn in h["connections"]:
            blocks = diagrams(conn)
            if len(h["connections"]) > 1 or len(blocks) > 1:
                out.append(f"### Connection {conn['connection']}")
                out.append("")
            if len(blocks) > 1:
                out.append(f"Split into {len(blocks)} diagrams: mermaid draws at most "
                           f"{MAX_TEXT:,} characters and {MAX_EDGES} relationships in one. "
                           "Tables shown without columns are drawn in full in another part.")
                out.append("")
            for block in blocks:
                out.append("```mermaid")
                out.append(block.rstrip("\n"))
                out.append("```")
                out.append("")
    return "\n".join(out)
