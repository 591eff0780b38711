"""Sphinx extension: the "Map of the library" appendix, computed from the code at every build.

``appendix/library_map.md`` holds one directive, ``{library-map}``, which this extension expands
into the map: for each chapter (in the order of ``_toc.yml``) the ``transformer_lib`` functions
and classes its code cells use, where each is defined (a link to the source line on the
repository named in ``_config.yml``) and the test files that use it; then, per library module, the
chapters and tests that use it. Nothing in it is kept by hand:

* a chapter's code is read from its notebook: each code cell (IPython magics turned into Python)
  is parsed with :mod:`ast`, and every name bound by ``import transformer_lib ...`` or
  ``from transformer_lib... import ...`` (aliases included) is followed through attribute chains
  (``tl.ref.causal_mask``, ``plots.heatmap``, ``emb.Word2Vec``);
* each such name is resolved by importing the package and looking the object up, and
  :mod:`inspect` gives the module, file and line that define it, so a re-export
  (``ref.causal_mask``) lands where the code lives (``transformer_lib/ref/masks.py``);
* the tests are read the same way, from every ``tests/**/test_*.py``;
* the modules are those of the installed package (:mod:`pkgutil`), so a new module shows up
  in the map without anyone adding it.

The page is re-read on every build (``env-get-outdated``), so it never shows a stale map.
``compute_map`` and ``render_markdown`` need no Sphinx; ``tests/book/test_library_map.py`` uses them.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import importlib.util
import inspect
import json
import pathlib
import pkgutil
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = "transformer_lib"
MAP_DOC = "appendix/library_map"  # the page that holds the directive (re-read on every build)
SHOWN_TESTS = 3  # test files named per function row; the module tables list them all


@dataclasses.dataclass(frozen=True, order=True)
class Target:
    """A function or class of the library, where it is defined."""

    module: str  # defining module, e.g. transformer_lib.ref.masks
    qualname: str  # e.g. causal_mask, Explorer.html
    path: str  # source file, relative to the repository root
    line: int  # first line of its definition

    @property
    def name(self) -> str:
        return f"{self.module}.{self.qualname}"


@dataclasses.dataclass
class Uses:
    """What one chapter or test file uses: functions and classes, and modules."""

    targets: set[Target] = dataclasses.field(default_factory=set)
    modules: set[str] = dataclasses.field(default_factory=set)  # defining modules of targets, and modules named whole


@dataclasses.dataclass
class LibraryMap:
    chapters: list[tuple[str, str]]  # (docname, title) in toc order
    modules: dict[str, str]  # every public module -> its source file (repository-relative)
    by_chapter: dict[str, Uses]
    by_test: dict[str, Uses]  # test file (repository-relative) -> what it uses
    repository: str  # https://github.com/OWNER/NAME
    branch: str

    def tests_of(self, target: Target) -> list[str]:
        return sorted(t for t, u in self.by_test.items() if target in u.targets)

    def tests_of_module(self, module: str) -> list[str]:
        return sorted(t for t, u in self.by_test.items() if module in u.modules)

    def chapters_of_module(self, module: str) -> list[str]:
        return [doc for doc, _ in self.chapters if module in self.by_chapter[doc].modules]

    def source_url(self, path: str, line: int | None = None) -> str:
        return f"{self.repository}/blob/{self.branch}/{path}" + (f"#L{line}" if line else "")


# ------------------------------------------------------------------------------ reading
def _yaml(path: pathlib.Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def toc_pages(root: pathlib.Path = ROOT) -> list[str]:
    """Every page of _toc.yml (docnames), in order: root, chapters, parts and their sections."""
    toc = _yaml(root / "_toc.yml")
    pages = [toc["root"]]

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                pages.append(e["file"])
            walk(e.get("sections"))

    walk(toc.get("chapters"))
    for part in toc.get("parts") or []:
        walk(part.get("chapters"))
    return [re.sub(r"\.(ipynb|md)$", "", p) for p in pages]


def repository(root: pathlib.Path = ROOT) -> tuple[str, str]:
    """(url, branch) from _config.yml's ``repository``, the one place that names it."""
    repo = _yaml(root / "_config.yml").get("repository") or {}
    if not repo.get("url"):
        raise ValueError("_config.yml has no repository.url: the library map links its source there")
    return repo["url"].rstrip("/").removesuffix(".git"), repo.get("branch") or "main"


def _notebook_cells(path: pathlib.Path) -> tuple[str, list[str]]:
    """(title, code cells as Python) of a chapter notebook; magics become plain calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    nb = json.loads(path.read_text(encoding="utf-8"))
    title, code = path.stem, []
    for cell in nb["cells"]:
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "markdown" and title == path.stem:
            m = re.search(r"^#\s+(.+?)\s*$", src, flags=re.M)
            if m:
                title = m.group(1)
        elif cell["cell_type"] == "code":
            code.append(TransformerManager().transform_cell(src))
    return title, code


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def library_references(sources: list[str], where: str) -> set[str]:
    """Dotted names inside the package that ``sources`` (Python code, e.g. one per cell) refer to.

    Names bound by import statements are followed through aliases and attribute chains; the
    import statements themselves are not uses. Raises ValueError naming ``where`` if a source
    does not parse.
    """
    trees = []
    for i, src in enumerate(sources):
        try:
            trees.append(ast.parse(src))
        except SyntaxError as e:
            raise ValueError(f"{where}: code block {i} does not parse ({e.msg}, line {e.lineno})") from None
    aliases: dict[str, str] = {}  # local name -> dotted name in the package
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name == PACKAGE or a.name.startswith(PACKAGE + "."):
                        if a.asname:
                            aliases[a.asname] = a.name
                        else:  # `import transformer_lib.nn` binds `transformer_lib`
                            aliases[a.name.split(".")[0]] = PACKAGE
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module == PACKAGE or node.module.startswith(PACKAGE + "."):
                    for a in node.names:
                        if a.name != "*":
                            aliases[a.asname or a.name] = f"{node.module}.{a.name}"

    for tree in trees:  # a function or class the code defines itself shadows a library name
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                aliases.pop(node.name, None)

    found: set[str] = set()

    class Visitor(ast.NodeVisitor):
        def visit_Import(self, node):  # an import binds a name; it is not a use
            pass

        visit_ImportFrom = visit_Import

        def visit_Attribute(self, node):
            dotted = _dotted(node)
            if dotted and dotted.split(".")[0] in aliases:
                head, _, rest = dotted.partition(".")
                found.add(f"{aliases[head]}.{rest}")
            else:
                self.generic_visit(node)

        def visit_Name(self, node):
            if node.id in aliases and isinstance(node.ctx, ast.Load):
                found.add(aliases[node.id])

    for tree in trees:
        Visitor().visit(tree)
    return found


def _resolve(dotted: str):
    """The object a dotted name inside the package denotes, following as far as it resolves."""
    parts = dotted.split(".")
    obj = importlib.import_module(parts[0])
    for i, part in enumerate(parts[1:], start=2):
        if hasattr(obj, part):
            obj = getattr(obj, part)
        elif inspect.ismodule(obj):
            try:
                obj = importlib.import_module(".".join(parts[:i]))
            except ImportError:
                break
        else:  # an attribute of an instance, set at run time: stop at what is known
            break
    return obj


def _relative(path: str, root: pathlib.Path) -> str:
    p = pathlib.Path(path).resolve()
    try:
        return p.relative_to(root.resolve()).as_posix()
    except ValueError:
        raise ValueError(f"{PACKAGE} is imported from {p}, not from this repository ({root}); "
                         "install it in editable mode (scripts/setup.sh does)") from None


def _target(obj, root: pathlib.Path) -> Target | None:
    if isinstance(obj, (classmethod, staticmethod)) or inspect.ismethod(obj):
        obj = obj.__func__
    obj = inspect.unwrap(obj) if callable(obj) else obj
    if not (inspect.isclass(obj) or inspect.isfunction(obj)):
        return None
    module = getattr(obj, "__module__", "") or ""
    if not (module == PACKAGE or module.startswith(PACKAGE + ".")):
        return None  # something the package imports from elsewhere (numpy, torch)
    path = _relative(inspect.getsourcefile(obj), root)
    return Target(module, obj.__qualname__, path, inspect.getsourcelines(obj)[1])


def uses_of(sources: list[str], where: str, root: pathlib.Path = ROOT) -> Uses:
    """The library functions, classes and modules that ``sources`` use."""
    uses = Uses()
    for dotted in library_references(sources, where):
        obj = _resolve(dotted)
        if inspect.ismodule(obj):
            if obj.__name__ != PACKAGE:  # `tl` alone says nothing about where code lives
                uses.modules.add(obj.__name__)
            continue
        t = _target(obj, root)
        if t is not None:
            uses.targets.add(t)
            uses.modules.add(t.module)
    return uses


def public_modules(root: pathlib.Path = ROOT) -> dict[str, str]:
    """Every module of the package whose dotted name has no part starting with "_" -> source file."""
    pkg = importlib.import_module(PACKAGE)
    out = {PACKAGE: _relative(pkg.__file__, root)}
    for info in pkgutil.walk_packages(pkg.__path__, PACKAGE + "."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        spec = importlib.util.find_spec(info.name)
        out[info.name] = _relative(spec.origin, root)
    return dict(sorted(out.items()))


def compute_map(root: pathlib.Path = ROOT) -> LibraryMap:
    """The whole map, from the chapters, the tests and the installed package."""
    url, branch = repository(root)
    chapters, by_chapter = [], {}
    for doc in toc_pages(root):
        nb = root / f"{doc}.ipynb"
        if not nb.exists():
            continue  # a page without code (this appendix)
        title, code = _notebook_cells(nb)
        chapters.append((doc, title))
        by_chapter[doc] = uses_of(code, f"{doc}.ipynb", root)
    by_test = {}
    for path in sorted((root / "tests").rglob("test_*.py")):
        rel = path.relative_to(root).as_posix()
        by_test[rel] = uses_of([path.read_text(encoding="utf-8")], rel, root)
    return LibraryMap(chapters, public_modules(root), by_chapter, by_test, url, branch)


# ----------------------------------------------------------------------------- writing
def _anchor(module: str) -> str:
    return "lib-" + module.replace(".", "-").replace("_", "-")


def _short(module: str) -> str:
    return module.removeprefix(PACKAGE + ".")


def _test_links(m: LibraryMap, tests: list[str], limit: int | None = None) -> str:
    """Links to test files, by file name (with its folder where two folders hold the same name)."""
    names = [t.rsplit("/", 1)[-1] for t in m.by_test]
    shown = tests if limit is None else tests[:limit]
    label = {t: t.rsplit("/", 1)[-1] if names.count(t.rsplit("/", 1)[-1]) == 1 else t.removeprefix("tests/") for t in shown}
    links = [f"[`{label[t]}`]({m.source_url(t)})" for t in shown]
    if len(tests) > len(shown):
        links.append(f"and {len(tests) - len(shown)} more")
    return ", ".join(links)


def render_markdown(m: LibraryMap) -> str:
    """The map as MyST Markdown: a section per chapter, then the modules, grouped by package."""
    out = []
    out.append("## By chapter\n")
    out.append("Each table lists the library functions and classes a chapter's code calls (a link to the "
               "line that defines it), their module in `transformer_lib` and the test files that use them. "
               "A function no test names directly shows the tests of its module instead.\n")
    for doc, title in m.chapters:
        uses = m.by_chapter[doc]
        out.append(f"### {title}\n")
        out.append(f"Chapter: {{doc}}`/{doc}`.\n")
        if not uses.targets:
            out.append("Its code calls no library function.\n")
            continue
        out.append("| function | module | tests |")
        out.append("| --- | --- | --- |")
        for t in sorted(uses.targets):
            direct = m.tests_of(t)
            if direct:
                tests = _test_links(m, direct, SHOWN_TESTS)
            else:
                module_tests = m.tests_of_module(t.module)
                tests = ("module: " + _test_links(m, module_tests, SHOWN_TESTS)) if module_tests else "none"
            out.append(f"| [`{t.qualname}`]({m.source_url(t.path, t.line)}) "
                       f"| {{ref}}`{_short(t.module)} <{_anchor(t.module)}>` | {tests} |")
        out.append("")
    out.append("## By module\n")
    out.append("Every public module of `transformer_lib`, with the chapters whose code uses it and the "
               "test files that use it.\n")
    for module, path in m.modules.items():
        chapters = ", ".join(f"{{doc}}`/{doc}`" for doc in m.chapters_of_module(module)) or "none"
        out.append(f"({_anchor(module)})=")
        out.append(f"### `{module}`\n")
        out.append(f"- source: [`{path}`]({m.source_url(path)})")
        out.append(f"- chapters: {chapters}")
        out.append(f"- tests: {_test_links(m, m.tests_of_module(module)) or 'none'}\n")
    return "\n".join(out)


# -------------------------------------------------------------------------------- Sphinx
def setup(app):
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    class LibraryMapDirective(SphinxDirective):
        """``{library-map}``: the map, computed now."""

        has_content = False

        def run(self):
            text = render_markdown(compute_map(ROOT))
            holder = nodes.container()
            self.state.nested_parse(StringList(text.splitlines(), source=self.env.docname), 0, holder,
                                    match_titles=True)
            return holder.children

    def always_outdated(app, env, added, changed, removed):
        return [MAP_DOC] if MAP_DOC in env.found_docs else []

    app.add_directive("library-map", LibraryMapDirective)
    app.connect("env-get-outdated", always_outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
