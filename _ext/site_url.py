"""Sphinx extension: the site's address (``html_baseurl``) from the one place that names the repository.

``.github/workflows/pages.yml`` publishes the book with GitHub Pages, which serves the
repository https://github.com/OWNER/NAME at https://OWNER.github.io/NAME/ (and a repository
named OWNER.github.io at https://OWNER.github.io/). So the base URL follows from
``_config.yml``'s ``repository.url``, unless ``html.baseurl`` there sets it (a custom domain).
Sphinx writes it into each page's canonical link.
"""

from __future__ import annotations

import re

GITHUB = re.compile(r"^https://github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)(?:\.git)?/*$")


def pages_url(repository_url: str) -> str | None:
    """GitHub Pages' address for a https://github.com/OWNER/NAME repository; None for another host."""
    m = GITHUB.match(repository_url.strip())
    if not m:
        return None
    owner, name = m.group(1).lower(), m.group(2)
    if name.lower() == f"{owner}.github.io":
        return f"https://{owner}.github.io/"
    return f"https://{owner}.github.io/{name}/"


def _set_baseurl(app, config) -> None:
    if config.html_baseurl:
        return
    url = pages_url((config.html_theme_options or {}).get("repository_url") or "")
    if url:
        config.html_baseurl = url


def setup(app):
    app.connect("config-inited", _set_baseurl)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
