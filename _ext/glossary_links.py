"""Sphinx extension: each glossary entry links to the term's first use in its chapter.

``appendix/glossary.md`` says, for every term, "Introduced in {doc}`/chapters/x`". A link to
the top of a long chapter makes the reader hunt for the term, so this extension sharpens it:

* while each chapter is read, the first ``{term}`` reference to each glossary term gets an anchor
  in front of it (``id="first-use-<term>"``), and the anchor is recorded in the environment;
* when the glossary page is written, the "Introduced in" link of each entry gets the anchor of its
  term in that chapter, so it lands on the sentence that first uses it.

If a chapter never links a term it introduces, the link stays a link to the chapter (and
``tests/book/test_self_checks.py`` fails, since every introducing chapter must link its terms).
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes

GLOSSARY_DOC = "appendix/glossary"


def anchor(term: str) -> str:
    """The id of a term's first use: ``first-use-`` + the term, lower case, dashes for the rest."""
    return "first-use-" + re.sub(r"[^a-z0-9]+", "-", term.lower()).strip("-")


def _first_uses(app, doctree) -> None:
    env = app.env
    if not env.docname.startswith("chapters/"):
        return
    seen = env.aho_first_use.setdefault(env.docname, {})
    for ref in list(doctree.findall(addnodes.pending_xref)):
        if ref.get("refdomain") != "std" or ref.get("reftype") != "term":
            continue
        term = ref["reftarget"].lower()
        if term in seen:
            continue
        seen[term] = anchor(term)
        ref.parent.insert(ref.parent.index(ref), nodes.inline("", "", ids=[seen[term]]))


def _init(app, env, docnames) -> None:
    if not hasattr(env, "aho_first_use"):
        env.aho_first_use = {}


def _purge(app, env, docname) -> None:
    getattr(env, "aho_first_use", {}).pop(docname, None)


def _merge(app, env, docnames, other) -> None:
    env.aho_first_use.update({d: other.aho_first_use[d] for d in docnames if d in other.aho_first_use})


def _link_glossary(app, doctree, docname) -> None:
    if docname != GLOSSARY_DOC:
        return
    uses = getattr(app.env, "aho_first_use", {})
    for item in doctree.findall(nodes.definition_list_item):
        terms = [t.astext().lower() for t in item.findall(nodes.term)]
        if not terms:
            continue
        for ref in item.findall(nodes.reference):
            uri = ref.get("refuri", "")
            m = re.search(r"(?:^|/)(chapters/\w+)\.html$", uri)
            if not m or m.group(1) not in uses:
                continue
            found = uses[m.group(1)]
            term = next((t for t in terms if t in found), None)
            if term is not None:
                ref["refuri"] = uri + "#" + found[term]


def setup(app):
    app.connect("env-before-read-docs", _init)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("doctree-read", _first_uses)
    app.connect("doctree-resolved", _link_glossary)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
