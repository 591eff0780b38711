"""Serve the CDN scripts bertviz asks for from local npm copies.

bertviz's views load require.js, d3 and jQuery from cdnjs. This machine (and a reader
offline) has no internet, so the browser tests answer those requests from packages
installed from the npm registry into ``tests/.vendor`` (ignored by git). jQuery 2.0.0,
the version bertviz names, is not on npm; 2.1.0, its nearest release there, stands in.
"""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess

VENDOR = pathlib.Path(__file__).resolve().parent / ".vendor"
PACKAGES = {"requirejs": "2.3.6", "d3": "5.7.0", "jquery": "2.1.0"}
# cdnjs path (regex) -> file inside node_modules
FILES = {
    r"/require\.js/[^/]+/require(\.min)?\.js$": "requirejs/require.js",
    r"/d3/[^/]+/d3(\.min)?\.js$": "d3/dist/d3.min.js",
    r"/jquery/[^/]+/jquery(\.min)?\.js$": "jquery/dist/jquery.min.js",
}


def ensure_vendor() -> pathlib.Path:
    """Install the three packages from the npm registry once; return node_modules."""
    modules = VENDOR / "node_modules"
    if all((modules / f).exists() for f in FILES.values()):
        return modules
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to serve bertviz's scripts locally in the browser tests")
    VENDOR.mkdir(exist_ok=True)
    specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
    subprocess.run([npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(VENDOR), *specs],
                   check=True, capture_output=True, text=True)
    return modules


def route_cdn(page) -> list[str]:
    """Answer cdnjs requests on ``page`` from the local copies; returns the URLs served."""
    modules = ensure_vendor()
    served: list[str] = []

    def handle(route):
        url = route.request.url
        for pattern, rel in FILES.items():
            if re.search(pattern, url):
                served.append(url)
                return route.fulfill(path=str(modules / rel), content_type="application/javascript")
        return route.fulfill(status=404, body="not served offline")

    page.route("https://cdnjs.cloudflare.com/**", handle)
    return served
