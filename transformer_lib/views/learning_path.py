"""The views of chapter "A learning path": the book's chapters drawn as a dependency graph
(an SVG whose every box links to its chapter), and the same record as a table.

The graph is computed from :data:`transformer_lib.book_map.CHAPTERS`, not drawn by hand: a
chapter sits one row below its deepest prerequisite (:func:`~transformer_lib.book_map.layers`),
an arrow ``A -> B`` means "read A first", and an arrow that would skip rows passes through
reserved gaps in the rows between (never under a box). Within a row the boxes are ordered by
the mean position of their prerequisites (a few sweeps of the barycentre heuristic), which
keeps arrows from crossing where it can.
"""

from __future__ import annotations

from transformer_lib import book_map
from transformer_lib.views import svg

BOX_W, BOX_H, GAP_X, ROW_H, DUMMY_W, MARGIN = 120, 42, 10, 70, 14, 12
FONT_PX = 12


def layout(graph: dict[str, list[str]] | None = None, order: list[str] | None = None):
    """Rows of the drawing: ``(rows, position)``. ``graph`` is {node: [prerequisites]} (default:
    the book's map) and ``order`` the book order that breaks ties. Each row is a list of items:
    a node's name, or ``("via", prereq, node, k)`` for the point where the arrow prereq -> node
    crosses the row between them. ``position[item] = (x_centre, y_top)``."""
    if graph is None:
        graph = {c.stem: list(c.prerequisites) for c in book_map.CHAPTERS}
        order = book_map.order()
    order = order or list(graph)
    cycle = book_map.has_cycle(graph)
    if cycle:
        raise ValueError(f"the chapter dependencies form a cycle: {' -> '.join(cycle)}")
    depth: dict[str, int] = {}

    def d(n):
        if n not in depth:
            depth[n] = 1 + max((d(p) for p in graph.get(n, ())), default=-1)
        return depth[n]

    for n in order:
        d(n)
    rows: list[list] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for n in order:
        rows[depth[n]].append(n)
    up: dict = {}  # item -> the items one row above that it hangs from
    for n in order:
        for p in graph.get(n, ()):
            prev = p
            for k in range(depth[p] + 1, depth[n]):  # one waypoint per skipped row
                via = ("via", p, n, k)
                rows[k].append(via)
                up[via] = [prev]
                prev = via
            up.setdefault(n, []).append(prev)
    rank = {n: i for i, n in enumerate(order)}
    for _ in range(4):  # barycentre sweeps, top to bottom
        for r in range(1, len(rows)):
            index = {it: i for i, it in enumerate(rows[r - 1])}
            def key(it, r=r, index=index):
                ups = [index[u] for u in up.get(it, []) if u in index]
                return (sum(ups) / len(ups) if ups else -1, rank.get(it if isinstance(it, str) else it[2], 0))
            rows[r].sort(key=key)
    width = max(sum(BOX_W if isinstance(it, str) else DUMMY_W for it in row) + GAP_X * (len(row) - 1) for row in rows)
    position = {}
    for r, row in enumerate(rows):
        row_w = sum(BOX_W if isinstance(it, str) else DUMMY_W for it in row) + GAP_X * (len(row) - 1)
        x = MARGIN + (width - row_w) / 2
        for it in row:
            w = BOX_W if isinstance(it, str) else DUMMY_W
            position[it] = (x + w / 2, MARGIN + 26 + r * ROW_H)
            x += w + GAP_X
    return rows, position, up, width + 2 * MARGIN


def _edge_path(points: list[tuple[float, float]]) -> str:
    """A smooth path through ``points`` (vertical tangents at each point: arrows leave and enter boxes straight)."""
    d = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        m = (y1 - y0) / 2
        d += f" C{x0:.1f},{y0 + m:.1f} {x1:.1f},{y1 - m:.1f} {x1:.1f},{y1:.1f}"
    return d


def dependency_map(current: str | None = book_map.MAP_PAGE, base: str = "") -> svg.SVG:
    """The book's chapters as an SVG graph: every box a link to its chapter's page (``base`` +
    ``<stem>.html``), every arrow "read first", with the reason as its tooltip. ``current`` (a stem,
    or None) is drawn highlighted, "you are here"."""
    if current is not None:
        book_map.chapter(current)
    problems = book_map.problems()
    if problems:
        raise ValueError("the book map is inconsistent: " + "; ".join(problems))
    rows, pos, up, width = layout()
    height = pos[rows[-1][0]][1] + BOX_H + MARGIN
    body = [svg.text(MARGIN, MARGIN + 8, "An arrow A → B means: read A first. Hover an arrow for why; click a box to open its chapter.",
                     size=12, anchor="start", color="#57606a", italic=True)]
    def ports(ends: dict) -> dict:  # spread the arrows that meet one box over its middle 60 %
        out = {}
        for n, others in ends.items():
            others.sort(key=lambda o: pos[o[0]][0])
            for k, (o, e) in enumerate(others):
                out[e] = pos[n][0] + BOX_W * 0.6 * ((k + 1) / (len(others) + 1) - 0.5)
        return out

    chains = {}
    for p, c, why in book_map.edges():
        chain, node = [c], c
        while True:  # walk up from c through the waypoints of this arrow to p
            nxt = next(u for u in up[node] if u == p or (isinstance(u, tuple) and u[1] == p and u[2] == c))
            chain.append(nxt)
            if nxt == p:
                break
            node = nxt
        chain.reverse()
        chains[(p, c)] = (chain, why)
    outs: dict = {}
    ins: dict = {}
    for (p, c), (chain, _) in chains.items():
        outs.setdefault(p, []).append((chain[1], (p, c)))
        ins.setdefault(c, []).append((chain[-2], (p, c)))
    out_x, in_x = ports(outs), ports(ins)
    for (p, c), (chain, why) in chains.items():
        pts = [(out_x[(p, c)], pos[p][1] + BOX_H)]
        pts += [(pos[v][0], pos[v][1] + BOX_H / 2) for v in chain[1:-1]]
        pts.append((in_x[(p, c)], pos[c][1] - 2))
        tip = f"Read “{book_map.chapter(p).title}” before “{book_map.chapter(c).title}”: {why}"
        body.append(svg.path(_edge_path(pts), tooltip=tip, data={"from": p, "to": c}))
    for row in rows:
        for it in row:
            if not isinstance(it, str):
                continue
            ch = book_map.chapter(it)
            x, y = pos[it]
            here = it == current
            body.append(svg.box(
                x - BOX_W / 2, y, BOX_W, BOX_H, svg.wrap(ch.short, BOX_W - 10, FONT_PX), href=book_map.page(it, base),
                tooltip=ch.title + (" (you are here)" if here else ""), fill="#fff4d6" if here else "#eef4fb",
                stroke="#9a6700" if here else "#2f4b7c", font_px=FONT_PX, css="aho-map-box", data={"chapter": it}))
    return svg.SVG(svg.document(width, height, body, "The book's chapters and what to read first"), "aho-book-map")


def reading_table(base: str = "") -> svg.Markup:
    """The same record as an HTML table: each chapter (a link), what to read first, and why."""
    cell = "border:1px solid #d0d7de;padding:3px 8px;vertical-align:top;text-align:left"
    rows = []
    for c in book_map.CHAPTERS:
        first = "<br>".join(
            f'<a href="{svg.esc(book_map.page(p, base))}">{svg.esc(book_map.chapter(p).title)}</a>: {svg.esc(why)}'
            for p, why in c.prerequisites.items()) or "nothing"
        rows.append(f'<tr><td style="{cell}"><a href="{svg.esc(book_map.page(c.stem, base))}">{svg.esc(c.title)}</a></td>'
                    f'<td style="{cell}">{first}</td></tr>')
    head = f'<tr><th style="{cell}">chapter</th><th style="{cell}">read first, and why</th></tr>'
    return svg.Markup('<table class="aho-reading-table" style="border-collapse:collapse;font-size:13px">'
                      + head + "".join(rows) + "</table>", "aho-reading")


__all__ = ["dependency_map", "layout", "reading_table"]
