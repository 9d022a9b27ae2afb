"""Inline SVG for the HTML report: bar charts, a trend line and the dependency-graph picture.

No JavaScript and no external assets: every picture is an ``<svg>`` element written here, with
native ``<title>`` tooltips. Functions return :class:`markupsafe.Markup` ready for a template.

The graph picture is laid out in a grid: one column per region (global first, then the regions
under audit, then the others) and one band per layer of kinds (entry points, traffic, compute,
data, backups and copies, other), so that "what is in the lost region" and "what depends on it"
read at a glance. Within a cell, nodes are ordered by the mean position of their neighbours (one
barycentre pass) to cut edge crossings. :func:`dependency_graph` takes the node set and per-node
states as inputs, so a simulation can draw its failed set with the same code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from markupsafe import Markup

from resilience import model as m

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
CHAR_W = 6.3  # mean advance of an 11px sans-serif character, for truncation


def _t(text: Any) -> str:
    return escape(str(text), quote=True)


def _fit(text: str, width: float, char_w: float = CHAR_W) -> str:
    limit = max(3, int(width / char_w))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


# --- bar charts ---------------------------------------------------------------------------------------


def stacked_bars(rows: Sequence[tuple[str, Mapping[str, int]]], *, keys: Sequence[str], colours: Mapping[str, str],
                 label_width: int = 170, bar_width: int = 300, row_height: int = 24, aria_label: str = "chart",
                 sublabels: Mapping[str, str] | None = None, per_row: bool = False,
                 end_label: Callable[[Mapping[str, int]], str] | None = None, end_width: int = 60) -> Markup:
    """Horizontal bars, one per row, stacked by ``keys`` (in that order), with the total at the end.

    ``per_row``: every bar is scaled to its own total (shares, 100% stacked) rather than to the
    largest row; ``end_label`` replaces the total printed after the bar."""
    if not rows:
        return Markup("")
    top = max(1, max(sum(counts.get(k, 0) for k in keys) for _, counts in rows))
    width = label_width + bar_width + end_width
    height = row_height * len(rows) + 6
    out = [f'<svg class="chart" role="img" aria-label="{_t(aria_label)}" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" font-family="{FONT}">']
    for i, (label, counts) in enumerate(rows):
        y = 3 + i * row_height
        mid = y + row_height / 2
        full = f"{label} — {sublabels[label]}" if sublabels and label in sublabels else label
        out.append(f'<text x="{label_width - 8}" y="{_num(mid + 4)}" text-anchor="end" font-size="12" '
                   f'fill="#1e293b"><title>{_t(full)}</title>{_t(_fit(label, label_width - 12, 6.8))}</text>')
        out.append(f'<rect x="{label_width}" y="{y + 4}" width="{bar_width}" height="{row_height - 8}" '
                   f'fill="#f1f5f9" rx="3"/>')
        x = float(label_width)
        total = 0
        scale = max(1, sum(counts.get(k, 0) for k in keys)) if per_row else top
        for key in keys:
            n = counts.get(key, 0)
            if not n:
                continue
            w = bar_width * n / scale
            out.append(f'<rect x="{_num(x)}" y="{y + 4}" width="{_num(max(w, 1.5))}" height="{row_height - 8}" '
                       f'fill="{colours.get(key, "#94a3b8")}"><title>{_t(label)}: {n} {_t(key)}</title></rect>')
            x += w
            total += n
        out.append(f'<text x="{_num(label_width + bar_width + 8)}" y="{_num(mid + 4)}" font-size="12" '
                   f'fill="#334155">{_t(end_label(counts) if end_label else total)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def mini_bar(counts: Mapping[str, int], *, keys: Sequence[str], colours: Mapping[str, str], top: int,
             width: int = 180, height: int = 12) -> Markup:
    """A one-line stacked bar for a table cell, scaled to ``top`` (the largest row's total)."""
    out = [f'<svg class="mini" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'xmlns="http://www.w3.org/2000/svg"><rect width="{width}" height="{height}" fill="#f1f5f9" rx="2"/>']
    x = 0.0
    for key in keys:
        n = counts.get(key, 0)
        if n:
            w = width * n / max(1, top)
            out.append(f'<rect x="{_num(x)}" width="{_num(max(w, 1.5))}" height="{height}" '
                       f'fill="{colours.get(key, "#94a3b8")}"><title>{n} {_t(key)}</title></rect>')
            x += w
    out.append("</svg>")
    return Markup("".join(out))


# --- trend line ---------------------------------------------------------------------------------------


def _nice_max(value: int, ticks: int = 4) -> int:
    """The smallest ``ticks * step`` >= ``value`` with step 1, 2 or 5 x 10^k: integer tick labels."""
    needed = max(1.0, value / ticks)
    magnitude = 10 ** int(math.floor(math.log10(needed)))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= needed)
    return int(step * ticks)


def trend_chart(points: Sequence[Mapping[str, Any]], *, series: Sequence[tuple[str, str, str]],
                width: int = 760, height: int = 230) -> Markup:
    """Failing findings per scan over time. ``series`` = (key, label, colour); key ``failing`` is the
    total, other keys are read from ``failing_by_severity``."""
    if len(points) < 2:
        return Markup("")
    left, right, top, bottom = 44, 44, 14, 42
    plot_w, plot_h = width - left - right, height - top - bottom

    def value(p: Mapping[str, Any], key: str) -> int:
        return int(p.get(key, 0)) if key == "failing" else int((p.get("failing_by_severity") or {}).get(key, 0))

    y_max = _nice_max(max(value(p, k) for p in points for k, _, _ in series))
    n = len(points)

    def px(i: int) -> float:
        return left + (plot_w * i / (n - 1))

    def py(v: float) -> float:
        return top + plot_h - plot_h * v / y_max

    out = [f'<svg class="chart trend" role="img" aria-label="failing findings per scan" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
           f'font-family="{FONT}">']
    ticks = 4
    for t in range(ticks + 1):
        v = y_max * t / ticks
        y = py(v)
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{_num(y)}" y2="{_num(y)}" stroke="#e2e8f0"/>')
        out.append(f'<text x="{left - 6}" y="{_num(y + 4)}" text-anchor="end" font-size="11" '
                   f'fill="#64748b">{_num(v)}</text>')
    label_every = max(1, math.ceil(n / 8))
    for i, p in enumerate(points):
        if i % label_every and i != n - 1:
            continue
        day = str(p.get("started_at", ""))[:10]
        out.append(f'<text x="{_num(px(i))}" y="{height - bottom + 16}" text-anchor="middle" font-size="11" '
                   f'fill="#64748b">{_t(day)}</text>')
    for key, label, colour in series:
        coords = " ".join(f"{_num(px(i))},{_num(py(value(p, key)))}" for i, p in enumerate(points))
        weight = 2.5 if key == "failing" else 1.6
        out.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="{weight}" '
                   f'stroke-linejoin="round"/>')
        for i, p in enumerate(points):
            out.append(f'<circle cx="{_num(px(i))}" cy="{_num(py(value(p, key)))}" r="3" fill="{colour}">'
                       f'<title>{_t(str(p.get("started_at", ""))[:16])}: {value(p, key)} {_t(label)}</title>'
                       f'</circle>')
    lx = left
    for _key, label, colour in series:
        out.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{colour}" rx="2"/>')
        out.append(f'<text x="{lx + 14}" y="{height - 5}" font-size="11" fill="#334155">{_t(label)}</text>')
        lx += 24 + int(len(label) * 6.5)
    out.append("</svg>")
    return Markup("".join(out))


# --- dependency graph -----------------------------------------------------------------------------------

LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("Entry points", frozenset({m.DNS_ZONE, m.DNS_RECORD, m.HEALTH_CHECK})),
    ("Traffic", frozenset({m.LOAD_BALANCER, m.TARGET_GROUP})),
    ("Compute", frozenset({m.COMPUTE_GROUP, m.INSTANCE, m.FUNCTION})),
    ("Data", frozenset({m.DATABASE, m.GLOBAL_DATABASE, m.OBJECT_STORE, m.VOLUME})),
    ("Backups", frozenset({m.RECOVERY_POINT, m.BACKUP_VAULT, m.BACKUP_PLAN})),
    ("Other", frozenset()),  # everything else (external references, tests, subnets)
)

EDGE_STYLE = {
    m.ROUTES_TO: ("#475569", ""),
    m.DEPENDS_ON: ("#0f172a", ""),
    m.REPLICATES_TO: ("#059669", "6 4"),
    m.FAILS_OVER_TO: ("#7c3aed", "6 4"),
    m.BACKED_UP_TO: ("#0891b2", "2 3"),
    m.MEMBER_OF: ("#cbd5e1", ""),
}

NODE_W, NODE_H, H_GAP, V_GAP = 156, 38, 14, 14
PER_ROW = 5  # at most this many nodes side by side in one region x layer cell before wrapping
TARGET_WIDTH = 1640  # about a page at 72% scale: columns widen only while the picture stays narrower
COL_PAD, HEADER_H, LABEL_W, LAYER_GAP = 12, 40, 118, 18
MAX_PER_CELL = 12  # beyond this, quiet nodes of a cell are folded into one "+N more" box


@dataclass
class NodeState:
    """How a node is drawn: ``worst`` = severity of its worst failing result (``None`` if none)."""

    worst: str | None = None
    failing: int = 0
    unknown: int = 0
    waived: int = 0
    lost: bool = False  # in a failed set (a simulation); drawn hatched
    lines: tuple[str, ...] = ()  # extra tooltip lines (finding titles)


def _layer(kind: str) -> int:
    for i, (_, kinds) in enumerate(LAYERS):
        if kind in kinds:
            return i
    return len(LAYERS) - 1


def region_order(regions: Iterable[str], audited: Sequence[str]) -> list[str]:
    regions = set(regions)
    head = [r for r in ("global",) if r in regions] + [r for r in audited if r in regions and r != "global"]
    tail = sorted(r for r in regions if r not in head and r != "unknown")
    return head + tail + (["unknown"] if "unknown" in regions else [])


def dependency_graph(graph: Any, nodes: Iterable[str], states: Mapping[str, NodeState], *,
                     audited: Sequence[str] = (), band_label: str = "under audit",
                     severity_colours: Mapping[str, str]) -> Markup:
    """Draw ``nodes`` of ``graph`` (a networkx MultiDiGraph) and the edges among them."""
    nodes = [n for n in nodes if n in graph]
    if not nodes:
        return Markup("")
    data = {n: graph.nodes[n] for n in nodes}
    regions = region_order({str(d.get("region") or "unknown") for d in data.values()}, audited)

    def quiet(n: str) -> bool:
        s = states.get(n)
        return s is None or not (s.failing or s.unknown or s.waived or s.lost)

    # cells: (region, layer) -> node ids (folding overfull cells)
    cells: dict[tuple[str, int], list[str]] = {}
    for n in sorted(nodes, key=lambda n: (tuple(data[n].get("workloads") or ("~",)), data[n].get("kind", ""),
                                          str(data[n].get("name") or n), n)):
        key = (str(data[n].get("region") or "unknown"), _layer(str(data[n].get("kind", ""))))
        cells.setdefault(key, []).append(n)
    folded: dict[tuple[str, int], int] = {}
    for key, members in cells.items():
        if len(members) > MAX_PER_CELL:
            keep = [n for n in members if not quiet(n)]
            rest = [n for n in members if quiet(n)]
            room = max(0, MAX_PER_CELL - 1 - len(keep))
            cells[key] = keep + rest[:room]
            folded[key] = len(rest) - room
    drawn = {n for members in cells.values() for n in members}

    layers = sorted({layer for _, layer in cells})

    def size(r: str, layer: int) -> int:
        return len(cells.get((r, layer), [])) + (1 if (r, layer) in folded else 0)

    def col_width(n: int) -> float:
        return max(1, n) * (NODE_W + H_GAP) - H_GAP + 2 * COL_PAD + 10

    def height_of(per_col: dict[str, int]) -> int:
        return sum(max(math.ceil(size(r, layer) / per_col[r]) for r in regions) for layer in layers)

    # every region starts one node wide; then the region whose widening saves the most rows gets one
    # more node side by side, while the picture stays within about a page width
    per_col = {r: 1 for r in regions}
    while True:
        width_now = LABEL_W + sum(col_width(n) for n in per_col.values())
        best, best_gain = None, 0
        for r in regions:
            widest = max(size(r, layer) for layer in layers)
            if per_col[r] >= min(PER_ROW, widest) or width_now + NODE_W + H_GAP > TARGET_WIDTH:
                continue
            gain = height_of(per_col) - height_of({**per_col, r: per_col[r] + 1})
            if gain > best_gain:
                best, best_gain = r, gain
        if best is None:
            break
        per_col[best] += 1
    # spare width: let regions with more in one cell than one row go wider still, for fewer edge crossings
    for r in sorted(regions, key=lambda r: -max(size(r, layer) for layer in layers)):
        while per_col[r] < min(PER_ROW, max(size(r, layer) for layer in layers)) and \
                LABEL_W + sum(col_width(n) for n in per_col.values()) + NODE_W + H_GAP <= TARGET_WIDTH:
            per_col[r] += 1
    rows_in_layer = {layer: max(math.ceil(size(r, layer) / per_col[r]) for r in regions) for layer in layers}
    col_x: dict[str, float] = {}
    x = LABEL_W
    for r in regions:
        col_x[r] = x
        x += max(1, per_col[r]) * (NODE_W + H_GAP) - H_GAP + 2 * COL_PAD + 10
    width = x
    layer_y: dict[int, float] = {}
    y = HEADER_H + 10
    for layer in layers:
        layer_y[layer] = y
        y += rows_in_layer[layer] * (NODE_H + V_GAP) - V_GAP + LAYER_GAP
    height = y + 4

    pos: dict[str, tuple[float, float]] = {}

    def place() -> None:
        for (r, layer), members in cells.items():
            for i, n in enumerate(members):
                row, col = divmod(i, per_col[r])
                pos[n] = (col_x[r] + COL_PAD + col * (NODE_W + H_GAP),
                          layer_y[layer] + row * (NODE_H + V_GAP))

    place()
    # barycentre ordering: each cell by the mean x of its drawn neighbours
    neighbours: dict[str, set[str]] = {n: set() for n in drawn}
    edges = []
    for src, dst, kind in graph.edges(keys=True):
        if src in drawn and dst in drawn and src != dst:
            neighbours[src].add(dst)
            neighbours[dst].add(src)
            edges.append((src, dst, kind))
    for _ in range(2):  # top-down, twice: connected nodes by their neighbours' mean x, loose ones last
        for key in sorted(cells, key=lambda k: (k[1], regions.index(k[0]))):
            members = cells[key]

            def centre(n: str, members: list[str] = members) -> tuple[int, float, int]:
                xs = [pos[o][0] for o in neighbours[n] if o not in members]
                return (0 if xs else 1, sum(xs) / len(xs) if xs else 0.0, members.index(n))

            cells[key] = sorted(members, key=centre)
            place()

    # scaled to the page (and paper) width through the viewBox, never wider than drawn; the HTML report
    # offers a "full size" toggle for a graph too wide to read fitted
    style = f"width:100%;max-width:{_num(width)}px;height:auto"
    out = [f'<svg class="graph" role="img" aria-label="dependency graph by region and layer" width="{_num(width)}" '
           f'height="{_num(height)}" viewBox="0 0 {_num(width)} {_num(height)}" xmlns="http://www.w3.org/2000/svg" '
           f'font-family="{FONT}" style="{style}">', "<defs>"]
    for kind, (colour, _) in EDGE_STYLE.items():
        out.append(f'<marker id="arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                   f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="{colour}"/>'
                   f"</marker>")
    out.append('<pattern id="lost" width="8" height="8" patternUnits="userSpaceOnUse" '
               'patternTransform="rotate(45)"><rect width="8" height="8" fill="#fee2e2"/>'
               '<line x1="0" y1="0" x2="0" y2="8" stroke="#fca5a5" stroke-width="3"/></pattern>')
    out.append("</defs>")

    # region columns and layer labels
    for r in regions:
        cx = col_x[r]
        cw = max(1, per_col[r]) * (NODE_W + H_GAP) - H_GAP + 2 * COL_PAD
        is_audited = r in audited
        fill, stroke, dash = ("#fff7ed", "#fb923c", ' stroke-dasharray="6 4"') if is_audited \
            else ("#f8fafc", "#e2e8f0", "")
        out.append(f'<rect x="{_num(cx)}" y="4" width="{_num(cw)}" height="{_num(height - 8)}" rx="8" '
                   f'fill="{fill}" stroke="{stroke}"{dash}/>')
        count = sum(len(cells.get((r, layer), [])) + folded.get((r, layer), 0) for layer in layers)
        out.append(f'<text x="{_num(cx + COL_PAD)}" y="24" font-size="13" font-weight="600" fill="#0f172a">'
                   f'{_t(_fit(r, cw - 2 * COL_PAD, 7.6))}</text>')
        sub = f"{band_label} · {count} shown" if is_audited else f"{count} shown"
        out.append(f'<text x="{_num(cx + COL_PAD)}" y="38" font-size="11" '
                   f'fill="{"#c2410c" if is_audited else "#64748b"}">{_t(sub)}</text>')
    for layer in layers:
        ly = layer_y[layer]
        out.append(f'<text x="8" y="{_num(ly + NODE_H / 2 + 4)}" font-size="11" font-weight="600" '
                   f'fill="#475569">{_t(LAYERS[layer][0])}</text>')
        if layer != layers[0]:
            out.append(f'<line x1="8" x2="{_num(width - 4)}" y1="{_num(ly - LAYER_GAP / 2 - 1)}" '
                       f'y2="{_num(ly - LAYER_GAP / 2 - 1)}" stroke="#e2e8f0" stroke-dasharray="2 4"/>')

    # edges under nodes
    seen_pairs: dict[tuple[str, str], int] = {}
    for src, dst, kind in sorted(edges, key=lambda e: (e[2] == m.MEMBER_OF, e)):
        colour, dash = EDGE_STYLE.get(kind, ("#94a3b8", ""))
        pair = (min(src, dst), max(src, dst))
        offset = seen_pairs.get(pair, 0) * 6
        seen_pairs[pair] = seen_pairs.get(pair, 0) + 1
        (x1, y1), (x2, y2) = pos[src], pos[dst]
        if abs(y1 - y2) < 1:  # same row: side to side, arched above
            if x1 < x2:
                sx, ex = x1 + NODE_W, x2
            else:
                sx, ex = x1, x2 + NODE_W
            sy = ey = y1 + NODE_H / 2 + offset - 6
            lift = 22 + abs(ex - sx) * 0.12
            d = f"M{_num(sx)},{_num(sy)} C{_num(sx)},{_num(sy - lift)} {_num(ex)},{_num(ey - lift)} {_num(ex)},{_num(ey)}"
        else:
            down = y2 > y1
            sx = x1 + NODE_W / 2 + offset
            ex = x2 + NODE_W / 2 + offset
            sy = y1 + NODE_H if down else y1
            ey = y2 if down else y2 + NODE_H
            bend = max(24.0, abs(ey - sy) * 0.45) * (1 if down else -1)
            d = f"M{_num(sx)},{_num(sy)} C{_num(sx)},{_num(sy + bend)} {_num(ex)},{_num(ey - bend)} {_num(ex)},{_num(ey)}"
        width_attr = "1" if kind == m.MEMBER_OF else "1.4"
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{width_attr}"{dash_attr} '
                   f'marker-end="url(#arrow-{kind})" opacity="0.85"><title>{_t(data[src].get("name") or src)} '
                   f'{_t(kind)} {_t(data[dst].get("name") or dst)}</title></path>')

    # nodes
    for n in sorted(drawn):
        d, (nx_, ny_) = data[n], pos[n]
        s = states.get(n) or NodeState()
        stroke, fill, sw, dash = "#94a3b8", "#ffffff", "1", ""
        if d.get("stub"):
            fill, dash = "#f8fafc", ' stroke-dasharray="4 3"'
        if s.waived and not s.failing:
            stroke, fill, dash = "#64748b", "#f1f5f9", ' stroke-dasharray="5 3"'
        if s.unknown and not s.failing:
            stroke, fill, sw, dash = "#7c3aed", "#f5f3ff", "1.6", ' stroke-dasharray="5 3"'
        if s.failing:
            stroke, fill, sw, dash = severity_colours.get(s.worst or "", "#dc2626"), "#fef2f2", "2.2", ""
        if s.lost:
            fill = "url(#lost)"
        name = str(d.get("name") or n)
        kind = str(d.get("kind", ""))
        zones = ",".join(d.get("zones") or ())
        tip = [name, n, f"{d.get('type', '')} · {kind} · {d.get('region', '')}" + (f" · {zones}" if zones else "")]
        if d.get("workloads"):
            tip.append("workloads: " + ", ".join(d["workloads"]))
        if s.failing or s.unknown or s.waived:
            tip.append(f"{s.failing} failing, {s.unknown} unknown, {s.waived} waived")
        tip.extend(s.lines[:8])
        out.append(f'<g class="node"><title>{_t(chr(10).join(tip))}</title>')
        out.append(f'<rect x="{_num(nx_)}" y="{_num(ny_)}" width="{NODE_W}" height="{NODE_H}" rx="6" fill="{fill}" '
                   f'stroke="{stroke}" stroke-width="{sw}"{dash}/>')
        out.append(f'<text x="{_num(nx_ + 8)}" y="{_num(ny_ + 16)}" font-size="11.5" font-weight="600" '
                   f'fill="#0f172a">{_t(_fit(name, NODE_W - 34))}</text>')
        sub = kind.replace("_", " ") + (f" · {zones}" if zones else "")
        out.append(f'<text x="{_num(nx_ + 8)}" y="{_num(ny_ + 30)}" font-size="10" fill="#64748b">'
                   f'{_t(_fit(sub, NODE_W - 16, 5.6))}</text>')
        if s.failing:
            out.append(f'<circle cx="{_num(nx_ + NODE_W - 13)}" cy="{_num(ny_ + 12)}" r="8.5" '
                       f'fill="{stroke}"/><text x="{_num(nx_ + NODE_W - 13)}" y="{_num(ny_ + 15.5)}" '
                       f'font-size="10" font-weight="700" fill="#fff" text-anchor="middle">{s.failing}</text>')
        elif s.unknown:
            out.append(f'<text x="{_num(nx_ + NODE_W - 13)}" y="{_num(ny_ + 16)}" font-size="12" font-weight="700" '
                       f'fill="#7c3aed" text-anchor="middle">?</text>')
        out.append("</g>")
    for (r, layer), extra in sorted(folded.items()):
        i = len(cells[(r, layer)])
        row, col = divmod(i, per_col[r])
        fx, fy = col_x[r] + COL_PAD + col * (NODE_W + H_GAP), layer_y[layer] + row * (NODE_H + V_GAP)
        out.append(f'<g><rect x="{_num(fx)}" y="{_num(fy)}" width="{NODE_W}" height="{NODE_H}" rx="6" '
                   f'fill="#f8fafc" stroke="#cbd5e1" stroke-dasharray="3 3"/><text x="{_num(fx + NODE_W / 2)}" '
                   f'y="{_num(fy + 23)}" font-size="11" fill="#475569" text-anchor="middle">+{extra} more '
                   f'(all passing)</text></g>')
    out.append("</svg>")
    return Markup("".join(out))
