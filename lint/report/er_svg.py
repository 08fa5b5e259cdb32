"""The schema as an entity-relationship drawing in inline SVG, laid out here (no browser
library): tables joined by foreign keys are drawn together, referenced tables above the tables
that reference them; tables without foreign keys follow in a grid."""

from __future__ import annotations

from migrate_lint.record import field, record

from markupsafe import Markup, escape

from migrate_lint.report.mermaid import _groups, relationships

MAX_ROW = 1200  # px: a layer wider than this wraps
GAP_X, GAP_Y, GROUP_GAP = 36, 56, 40
HEAD, ROW, PAD = 24, 17, 8
CHAR, HEAD_CHAR = 6.9, 7.8  # average glyph widths at the drawing's font sizes
MAX_BOX = 340


@record
class Box:
    table: dict
    id: str
    w: float
    h: float
    rows: list = field(default_factory=list)  # (name, type, key, unknown)
    x: float = 0
    y: float = 0


def _rows(t: dict) -> list[tuple]:
    pk = set(t.get("primary_key") or [])
    fk = {c for f in t["foreign_keys"] for c in f["columns"]}
    rows = [(c["name"], c["type"] or "?", "PK" if c["name"] in pk else
             ("FK" if c["name"] in fk else ""), c["status"] != "exists") for c in t["columns"]]
    if not t["columns_complete"]:
        rows.append(("… other columns unknown", "", "", True))
    return rows


def _box(t: dict, n: int) -> Box:
    rows = _rows(t)
    width = max([len(t["name"]) * HEAD_CHAR + 2 * PAD + 20] +
                [(len(a) + len(b) + 4) * CHAR + 2 * PAD + 22 for a, b, _, _ in rows])
    return Box(t, f"tbl-{n}", min(max(width, 140), MAX_BOX), HEAD + ROW * len(rows) + PAD, rows)


def _layers(boxes: dict[str, Box], edges) -> dict[str, int]:
    """Depth of each table: 0 for tables that reference none of the group, else one more than
    the deepest table they reference (foreign-key cycles are cut where they close)."""
    parents: dict[str, list[str]] = {k: [] for k in boxes}
    for child, target, _, _ in edges:
        a, b = child.lower(), target.lower()
        if a in boxes and b in boxes and a != b:
            parents[a].append(b)
    depth: dict[str, int] = {}
    for start in boxes:
        stack, on_path = [(start, iter(parents[start]))], {start}
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                on_path.discard(node)
                depth[node] = 1 + max((depth[p] for p in parents[node] if p in depth),
                                      default=-1)
            elif nxt not in depth and nxt not in on_path:
                on_path.add(nxt)
                stack.append((nxt, iter(parents[nxt])))
    return depth


def _place_group(boxes: list[Box], edges, top: float) -> float:
    """Lay out one group from y=top; returns the y below it."""
    by_key = {b.table["name"].lower(): b for b in boxes}
    depth = _layers(by_key, edges)
    layers: dict[int, list[Box]] = {}
    for key, b in by_key.items():
        layers.setdefault(depth[key], []).append(b)
    parents: dict[str, list[str]] = {}
    for child, target, _, _ in edges:
        parents.setdefault(child.lower(), []).append(target.lower())
    y = top
    for level in sorted(layers):
        row = layers[level]
        if level:  # under the tables they reference (barycentre of their x)
            def centre(b, _by=by_key):
                xs = [_by[p].x + _by[p].w / 2 for p in parents.get(b.table["name"].lower(), [])
                      if p in _by and depth.get(p, 0) < level]
                return sum(xs) / len(xs) if xs else 0.0
            row.sort(key=lambda b: (centre(b), b.table["name"]))
        else:
            row.sort(key=lambda b: b.table["name"])
        x, height = 0.0, 0.0
        for b in row:
            if x and x + b.w > MAX_ROW:
                y += height + GAP_Y
                x, height = 0.0, 0.0
            b.x, b.y = x, y
            x += b.w + GAP_X
            height = max(height, b.h)
        y += height + GAP_Y
    return y


def _table_svg(b: Box) -> str:
    t = b.table
    cls = "tbl" if t["status"] == "exists" else "tbl unknown"
    tip = t["name"] + ("" if t["status"] == "exists" else " (may not exist)")
    find = " ".join([t["name"]] + [c["name"] for c in t["columns"]])
    out = [f'<g class="{cls}" id="{b.id}" data-name="{escape(t["name"])}" '
           f'data-find="{escape(find)}" '
           f'transform="translate({b.x:.0f},{b.y:.0f})"><title>{escape(tip)}</title>',
           f'<rect class="box" width="{b.w:.0f}" height="{b.h:.0f}" rx="4"/>',
           f'<rect class="head" width="{b.w:.0f}" height="{HEAD}" rx="4"/>',
           f'<text class="tname" x="{PAD}" y="16">{escape(t["name"])}</text>']
    for i, (name, ctype, key, unknown) in enumerate(b.rows):
        y = HEAD + ROW * i + 13
        if key:
            out.append(f'<text class="key" x="{PAD}" y="{y}">{key}</text>')
        out.append(f'<text class="col{" unknown" if unknown else ""}" x="{PAD + 22}" '
                   f'y="{y}">{escape(name)}{"?" if unknown and ctype else ""}</text>')
        if ctype:
            out.append(f'<text class="ctype" x="{b.w - PAD:.0f}" y="{y}" '
                       f'text-anchor="end">{escape(ctype)}</text>')
    out.append("</g>")
    return "".join(out)


def _edge_svg(child: Box, parent: Box, label: str, unknown: bool) -> str:
    x1, y1 = child.x + child.w / 2, child.y
    x2, y2 = parent.x + parent.w / 2, parent.y + parent.h
    if y2 > y1:  # the referenced table is not above: leave and enter from the sides
        x1, y1 = child.x + child.w, child.y + HEAD / 2
        x2, y2 = parent.x + parent.w, parent.y + HEAD / 2
        d = f"M{x1:.0f} {y1:.0f} C{x1 + 60:.0f} {y1:.0f} {x2 + 60:.0f} {y2:.0f} {x2:.0f} {y2:.0f}"
    else:
        bend = max(30.0, (y1 - y2) / 2)
        d = f"M{x1:.0f} {y1:.0f} C{x1:.0f} {y1 - bend:.0f} {x2:.0f} {y2 + bend:.0f} {x2:.0f} {y2:.0f}"
    tip = f"{child.table['name']}.{label} → {parent.table['name']}"
    return (f'<path class="fk{" unknown" if unknown else ""}" d="{d}" '
            f'data-from="{escape(child.table["name"])}" data-to="{escape(parent.table["name"])}">'
            f'<title>{escape(tip)}</title></path>'
            f'<circle class="fk-end" cx="{x2:.0f}" cy="{y2:.0f}" r="3"/>')


def draw(tables: list[dict], svg_id: str, first_box: int = 0) -> tuple[Markup, dict]:
    """(the SVG, {table name: box id})."""
    edges = relationships(tables)
    boxes = [_box(t, first_box + i) for i, t in enumerate(tables)]
    by_name = {b.table["name"].lower(): b for b in boxes}
    groups = _groups(tables, edges)
    joined = sorted((g for g in groups if len(g) > 1), key=lambda g: (-len(g), g[0]["name"]))
    alone = sorted((t for g in groups if len(g) == 1 for t in g), key=lambda t: t["name"])
    parts, labels, y = [], [], 0.0
    for i, g in enumerate(joined, 1):
        labels.append((y, f"Tables joined by foreign keys ({len(g)})"))
        y = _place_group([by_name[t["name"].lower()] for t in g], edges, y + 22) + GROUP_GAP
    if alone:
        labels.append((y, f"Tables without foreign keys between them ({len(alone)})"))
        y = _place_group([by_name[t["name"].lower()] for t in alone], [], y + 22) + GROUP_GAP
    width = max([b.x + b.w for b in boxes] + [400]) + 20
    height = max(y, 60)
    parts.append(f'<svg class="er" id="{svg_id}" xmlns="http://www.w3.org/2000/svg" '
                 f'viewBox="-10 -10 {width:.0f} {height:.0f}" width="{width:.0f}" '
                 f'height="{height:.0f}" data-width="{width:.0f}" data-height="{height:.0f}" '
                 f'role="img" aria-label="Entity-relationship diagram of {len(tables)} tables">')
    for ly, text in labels:
        parts.append(f'<text class="group-label" x="0" y="{ly + 12:.0f}">{escape(text)}</text>')
    for child, target, label, unknown in edges:
        a, b = by_name.get(child.lower()), by_name.get(target.lower())
        if a is not None and b is not None and a is not b:
            parts.append(_edge_svg(a, b, label, unknown))
    parts += [_table_svg(b) for b in boxes]
    parts.append("</svg>")
    return Markup("".join(parts)), {b.table["name"]: b.id for b in boxes}
