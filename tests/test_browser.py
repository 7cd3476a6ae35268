"""The built site, as a reader sees it: every page opened in a real browser.

Debian's ``/usr/bin/chromium`` is driven by Python playwright (no browser is
downloaded). The site is the one ``make html`` built, ``_build/html`` (``make test``
builds it first); ``LSTMDOC_SITE`` points elsewhere. It is served from a thread on
127.0.0.1 and, for the index and the page with the most math, opened over
``file://`` too. Every page must: send no request off its own origin, log no
console error, typeset every math node (no raw TeX left), load every image.
A full-page screenshot of each page goes to ``_build/screenshots/`` (or
``LSTMDOC_SCREENSHOTS``) for a person to review.

Without chromium, playwright or a built site the tests skip and say why;
with ``LSTMDOC_REQUIRE_BROWSER=1`` (CI) they fail instead.
"""

import functools
import http.server
import os
import re
import tempfile
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("LSTMDOC_SITE", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = Path(os.environ.get("LSTMDOC_SCREENSHOTS", ROOT / "_build" / "screenshots"))
CHROMIUM = os.environ.get("LSTMDOC_CHROMIUM", "/usr/bin/chromium")  # Debian's, not a download
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
REQUIRE = os.environ.get("LSTMDOC_REQUIRE_BROWSER") == "1"
# Wide enough for furo's three columns (navigation, page, table of contents), tall enough
# for its whole navigation column in the screenshots.
VIEWPORT = {"width": 1400, "height": 1200}
# Generated pages, not in the reading order (the toctree).
GENERATED = {"genindex.html", "search.html", "py-modindex.html"}
# The whole book on one page (docs/_ext/lstmdoc_book.py): every page again, so it is
# tested on its own, not with the pages (its numbers and headings repeat theirs).
BOOK = "book.html"


def site_pages():
    """Every HTML page of the site, relative to it, in a stable order."""
    if not SITE.is_dir():
        return []
    return sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")
                  if not any(part.startswith((".", "_")) for part in p.relative_to(SITE).parts)
                  and p.relative_to(SITE).as_posix() != BOOK)


PAGES = site_pages()


def unavailable(need_browser=True):
    """Why these tests cannot run here, or None."""
    if not (SITE / "index.html").is_file():
        return f"no built site at {SITE} (run `make html`, or set LSTMDOC_SITE)"
    if need_browser:
        if not os.path.exists(CHROMIUM):
            return f"{CHROMIUM} not found (apt-get install chromium)"
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return "python playwright is not installed (pip install -e '.[browser]')"
    return None


def skip_or_fail(reason):
    if REQUIRE:
        pytest.fail(f"LSTMDOC_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


# --- the HTML as written, parsed without a browser ----------------------------------------

class PageParser(HTMLParser):
    """Ids, links, math nodes and the furo previous/next links of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.math, self.next = [], [], 0, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if a.get("id"):
            self.ids.append(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
            if "next-page" in classes:
                self.next = a["href"]
        # sphinx.ext.mathjax writes every math node as span/div class="math notranslate ...".
        if tag in ("span", "div") and "math" in classes and "notranslate" in classes:
            self.math += 1


@functools.lru_cache(maxsize=None)
def parsed(page):
    p = PageParser()
    p.feed((SITE / page).read_text(encoding="utf-8"))
    return p


@pytest.fixture(scope="module")
def site():
    if reason := unavailable(need_browser=False):
        skip_or_fail(reason)
    return SITE


def test_internal_links_and_anchors_resolve(site):
    """Every in-site link, fragment included (equation permalinks, {eq} references), lands."""
    broken = []
    for page in PAGES:
        for href in parsed(page).links:
            if urlsplit(href).scheme or href.startswith("//"):
                continue  # furo's footer credits; the site itself fetches nothing off-site
            url, fragment = urldefrag(urljoin(page, href))
            target = urlsplit(url).path or page
            if not (site / target).is_file():
                broken.append(f"{page}: {href} (no file {target})")
            elif target.endswith(".html") and fragment and fragment not in parsed(target).ids:
                broken.append(f"{page}: {href} (no id {fragment!r} in {target})")
    assert not broken, "\n".join(broken)


def test_ids_are_unique(site):
    """An anchor a reader copies must point at one element."""
    dupes = {page: sorted({i for i in parsed(page).ids if parsed(page).ids.count(i) > 1})
             for page in PAGES}
    assert not {p: d for p, d in dupes.items() if d}


def test_next_links_walk_every_page_in_reading_order(site):
    """Following "next" from the index visits every page once: the toctree's reading order."""
    seen, page = [], "index.html"
    while page is not None and page not in seen:
        seen.append(page)
        nxt = parsed(page).next
        page = urldefrag(urljoin(page, nxt))[0] if nxt else None
    assert page is None, f"the next links loop back to {page}"
    assert sorted(seen) == sorted(set(PAGES) - GENERATED)
    # The order is the index page's toctrees' (its source as the site was built from it).
    source = (site / "_sources" / "index.md.txt").read_text(encoding="utf-8")
    entries = [line.strip() for block in re.findall(r"```\{toctree\}\n(.*?)```", source, re.S)
               for line in block.splitlines() if line.strip() and not line.startswith(":")]
    assert seen == ["index.html"] + [f"{e}.html" for e in entries]


def test_read_the_docs_builds_like_make_html():
    """.readthedocs.yaml spells out `make html`: same environment, same sphinx-build options."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    env = dict(re.findall(r"^export (\w+)\s*=\s*(\S+)", makefile, flags=re.M))
    opts = re.search(r"^SPHINXOPTS\s*\?=\s*(.*?)\s*$", makefile, flags=re.M).group(1)
    rtd = " ".join((ROOT / ".readthedocs.yaml").read_text(encoding="utf-8").split())
    assert dict(re.findall(r"\b([A-Z_]+)=(\S+) ", rtd.split("python -m sphinx")[0])) == env
    assert f"python -m sphinx -c . {opts} -b html" in rtd
    assert "pip install -c constraints.txt '.[docs]'" in rtd


def test_footer_shows_the_copyright_of_conf_py(site):
    """Sphinx rewrites the copyright year when SOURCE_DATE_EPOCH is in an earlier year
    than the build's (the Makefile sets it): the footer must say what conf.py says."""
    conf = (ROOT / "conf.py").read_text(encoding="utf-8")
    copyright_ = re.search(r'^copyright = "(.*)"$', conf, flags=re.M).group(1)
    footer = re.search(r'<div class="copyright">\s*(.*?)\s*</div>',
                       (site / "index.html").read_text(encoding="utf-8"), flags=re.S).group(1)
    assert footer == f"Copyright &#169; {copyright_}"


def test_labelled_equations_have_numbers_and_permalinks(site):
    """Every labelled equation shows its number and a permalink to its own id."""
    pattern = re.compile(r'<div class="math notranslate nohighlight[^"]*" id="(equation-[^"]+)">\s*'
                         r'<span class="eqno">\((\d+(?:\.\d+)*)\)'
                         r'<a class="headerlink" href="#\1"')
    labelled = {page: len(re.findall(r'id="equation-', (site / page).read_text("utf-8")))
                for page in PAGES}
    numbered = {page: len(pattern.findall((site / page).read_text("utf-8"))) for page in PAGES}
    assert numbered == labelled
    assert sum(labelled.values()) > 0, "no labelled equation in the whole site"


def index_parts(site):
    """The index page's toctrees as (caption, numbered, [page.html, ...]), in reading order."""
    source = (site / "_sources" / "index.md.txt").read_text(encoding="utf-8")
    parts = []
    for block in re.findall(r"```\{toctree\}\n(.*?)```", source, re.S):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        options = dict(re.findall(r"^:(\w+):\s*(.*)$", "\n".join(lines), flags=re.M))
        pages = [f"{line}.html" for line in lines if not line.startswith(":")]
        parts.append((options.get("caption"), "numbered" in options, pages))
    return parts


def chapter_of(site, page):
    """The chapter number in a page's title ("14" for "14. Training"), or None."""
    h1 = re.search(r"<h1>(.*?)</h1>", (site / page).read_text(encoding="utf-8"), re.S).group(1)
    number = re.match(r'<span class="section-number">(\d+)\. </span>', h1)
    return int(number.group(1)) if number else None


def test_numbered_parts_continue_the_chapter_numbers(site):
    """The book's numbered parts count on from one another (docs/_ext/lstmdoc_numbering.py):
    Sphinx alone restarts at 1 in every numbered toctree."""
    parts = index_parts(site)
    numbered = [pages for _caption, is_numbered, pages in parts if is_numbered]
    assert len(numbered) > 1, "only one numbered part: nothing continues"
    chapters = [page for pages in numbered for page in pages]
    assert [chapter_of(site, page) for page in chapters] == list(range(1, len(chapters) + 1))
    unnumbered = [page for _caption, is_numbered, pages in parts if not is_numbered
                  for page in pages]
    assert unnumbered and all(chapter_of(site, page) is None for page in unnumbered)
    # Training's first page comes right after the first part's last chapter (14 after 13;
    # the literal is a deliberate anchor: update it when the first part gains a chapter).
    training = next(pages for caption, _is_numbered, pages in parts if caption == "Training")
    assert chapter_of(site, training[0]) == len(numbered[0]) + 1 == 14


def test_equation_and_figure_numbers_are_unique_across_the_site(site):
    """Each equation and figure number names one place on the whole site, and its chapter is
    the page's: "(2.6)" is on chapter 2's page and nowhere else."""
    seen = {}
    for page in PAGES:
        text = (site / page).read_text(encoding="utf-8")
        numbers = ([f"({n})" for n in re.findall(r'<span class="eqno">\(([\d.]+)\)', text)]
                   + re.findall(r'<span class="caption-number">(Fig\. [\d.]+) </span>', text))
        for number in numbers:
            chapter, dot, _ = number.strip("(Fig. )").partition(".")
            assert dot, f"{page}: {number} is not numbered by chapter"
            assert int(chapter) == chapter_of(site, page), f"{page}: {number}"
            seen.setdefault(number, []).append(page)
    assert seen, "no numbered equation or figure in the whole site"
    assert {n: pages for n, pages in seen.items() if len(pages) > 1} == {}


def sidebar(site, page):
    """furo's navigation as [(page it links to, text)], the same on every page."""
    text = (site / page).read_text(encoding="utf-8")
    tree = re.search(r'<div class="sidebar-tree">(.*?)</div>', text, re.S).group(1)
    entries = re.findall(r'<li class="toctree-l1[^"]*"><a class="[^"]*" href="([^"]*)">(.*?)</a>',
                         tree)
    return [(urldefrag(urljoin(page, href))[0] or page, title) for href, title in entries]


def test_every_sidebar_shows_the_chapter_numbers_of_the_pages(site):
    """The navigation on every page numbers each chapter as its own page does (an incremental
    build that renumbers chapters must rewrite every page, not only the renumbered ones)."""
    expected = sidebar(site, "index.html")
    for target, title in expected:
        number = re.match(r"(\d+)\. ", title)
        assert (int(number.group(1)) if number else None) == chapter_of(site, target), title
    for page in sorted(set(PAGES) - GENERATED):
        assert sidebar(site, page) == expected, page


# --- a real browser -----------------------------------------------------------------------

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    timeout = 10  # a stuck connection cannot hang the test run

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    """The site over HTTP on 127.0.0.1, on a free port, for this module only."""
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def context(site):
    if reason := unavailable():
        skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw, tempfile.TemporaryDirectory(prefix="lstmdoc-chromium-") as profile:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            viewport=VIEWPORT, color_scheme="light")
        ctx.set_default_timeout(30_000)
        yield ctx
        ctx.close()


class Visit:
    """One page opened in the browser, with every request, failure and console error."""

    def __init__(self, context, url, viewport=None, color_scheme=None, network_idle=True):
        self.requests, self.failed, self.errors = [], [], []
        self.pending = set()  # requests sent and not yet answered
        self.page = context.new_page()
        if viewport:
            self.page.set_viewport_size(viewport)
        if color_scheme:
            self.page.emulate_media(color_scheme=color_scheme)
        self.page.on("request", self.on_request)
        self.page.on("requestfinished", lambda r: self.pending.discard(r))
        self.page.on("requestfailed", self.on_request_failed)
        self.page.on("response", self.on_response)
        self.page.on("console", self.on_console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url, wait_until="load")
        # MathJax is deferred and typesets asynchronously; its fonts load after that.
        self.page.evaluate("""async () => {
            if (window.MathJax && MathJax.startup && MathJax.startup.promise)
                await MathJax.startup.promise;
            document.querySelectorAll('img[loading="lazy"]').forEach(i => i.loading = "eager");
            await Promise.all([...document.images].map(i => i.decode().catch(() => null)));
            await document.fonts.ready;
        }""")
        if network_idle:
            self.page.wait_for_load_state("networkidle")
        else:
            # Chromium did not report the whole book's page (thousands of equations) network-
            # idle after another page had filled the cache, with no request outstanding; so
            # for it: every request answered, checked after a moment of quiet.
            self.page.wait_for_timeout(500)
            assert not self.pending, [r.url for r in self.pending]

    def on_request(self, request):
        self.requests.append(request.url)
        self.pending.add(request)

    def on_request_failed(self, request):
        self.pending.discard(request)
        self.failed.append(f"{request.url} ({request.failure})")

    def on_response(self, response):
        if response.status >= 400:
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def on_console(self, message):
        if message.type == "error":
            self.errors.append(message.text)

    def close(self):
        self.page.close()


# Text a reader sees, outside code and typeset math: any TeX left there was not typeset.
VISIBLE_TEXT = """() => {
    const skip = "pre, code, script, style, textarea, mjx-container";
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const parts = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (el && !el.closest(skip) && el.checkVisibility()) parts.push(n.data);
    }
    return parts.join(" ");
}"""
RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\(?:begin|end|frac|mathrm|text|operatorname)\b"
                     r"|\$[^$\s][^$]*?\$")

MATH_STATE = """() => ({
    loaded: !!(window.MathJax && MathJax.startup && MathJax.version),
    version: window.MathJax && MathJax.version,
    containers: document.querySelectorAll("mjx-container").length,
    inMath: document.querySelectorAll(".math mjx-container").length,
    errors: [...document.querySelectorAll("mjx-merror")].map(e => e.getAttribute("data-mjx-error") || e.textContent),
    fonts: [...document.fonts].filter(f => f.family.startsWith("MJX")).map(f => f.family + ":" + f.status),
})"""


# A display equation too wide for the column runs under its number "(11.2)".
EQUATION_OVER_NUMBER = """() => [...document.querySelectorAll("div.math")].filter(d => {
    const n = d.querySelector(".eqno"), m = d.querySelector("mjx-container mjx-math");
    if (!n || !m) return false;
    const a = m.getBoundingClientRect(), b = n.getBoundingClientRect();
    return a.right > b.left && b.right > a.left && a.bottom > b.top && b.bottom > a.top;
}).map(d => d.id)"""


def check_math(visit, n_math, where):
    state = visit.page.evaluate(MATH_STATE)
    if n_math:
        assert state["loaded"], f"{where}: MathJax did not load"
        assert state["version"].startswith("3."), state["version"]
    assert state["containers"] == state["inMath"] == n_math, (where, state)
    assert not state["errors"], f"{where}: MathJax errors {state['errors']}"
    assert not [f for f in state["fonts"] if f.endswith(":error")], (where, state["fonts"])
    if n_math:
        assert any(f.endswith(":loaded") for f in state["fonts"]), (where, state["fonts"])


def screenshot_name(page, suffix=""):
    return page.removesuffix(".html").replace("/", "_") + suffix + ".png"


@pytest.mark.parametrize("page", PAGES or ["index.html"])
def test_page_in_browser(context, server, page):
    visit = Visit(context, urljoin(server, page))
    try:
        off_site = [u for u in visit.requests
                    if not u.startswith(server) and not u.startswith(("data:", "blob:"))]
        assert not off_site, f"requests leave the site: {off_site}"
        assert not visit.failed, f"failed requests: {visit.failed}"
        assert not visit.errors, f"console errors: {visit.errors}"
        check_math(visit, parsed(page).math, page)
        raw = RAW_TEX.findall(visit.page.evaluate(VISIBLE_TEXT))
        assert not raw, f"raw TeX in the visible text of {page}: {raw[:10]}"
        overlapping = visit.page.evaluate(EQUATION_OVER_NUMBER)
        assert not overlapping, f"equations running into their numbers on {page}: {overlapping}"
        broken = visit.page.evaluate("""() => [...document.images]
            .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.currentSrc || i.src)""")
        assert not broken, f"images that did not load: {broken}"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        visit.page.screenshot(path=SCREENSHOTS / screenshot_name(page), full_page=True)
    finally:
        visit.close()


def math_pages():
    """The index, and the page with the most math (the one most likely to break offline)."""
    most = max(PAGES, key=lambda p: parsed(p).math, default="index.html")
    return sorted({"index.html", most})


@pytest.mark.parametrize("page", math_pages() if PAGES else ["index.html"])
def test_page_over_file_url(context, page):
    """Opened straight from disk, as a reader who downloaded the site would."""
    url = (SITE / page).as_uri()
    visit = Visit(context, url)
    try:
        outside = [u for u in visit.requests
                   if not u.startswith(SITE.as_uri() + "/") and not u.startswith("data:")]
        assert not outside, f"requests outside the site's folder: {outside}"
        assert not visit.failed, f"failed requests: {visit.failed}"
        assert not visit.errors, f"console errors: {visit.errors}"
        check_math(visit, parsed(page).math, url)
    finally:
        visit.close()


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_search_finds_forget(context, server, scheme):
    base = server if scheme == "http" else SITE.as_uri() + "/"
    visit = Visit(context, urljoin(base, "search.html?q=forget"))
    try:
        hits = visit.page.locator("#search-results ul.search li > a")
        hits.first.wait_for()
        targets = {urlsplit(urljoin("search.html", h.get_attribute("href"))).path
                   for h in hits.all()}
        assert targets
        # Every hit is a page of the site that does mention the word.
        assert all("forget" in (SITE / t).read_text("utf-8").lower() for t in targets), targets
        assert not visit.errors, f"console errors: {visit.errors}"
        if scheme == "http":  # the summaries under the hits are fetched over http only
            summaries = visit.page.locator("#search-results p.context")
            summaries.first.wait_for()
            visit.page.wait_for_load_state("networkidle")
            text = " ".join(summaries.all_inner_texts())
            assert "forget" in text.lower()
            # Cut from the pages' HTML, where math is TeX: no delimiters may show.
            assert not re.findall(r"\$\$|\\[()\[\]]", text), text
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            visit.page.screenshot(path=SCREENSHOTS / "search-forget.png", full_page=True)
    finally:
        visit.close()


def test_equation_permalink_lands_on_the_equation(context, server):
    """A copied equation link (#equation-...) shows the equation at the top of the window,
    although MathJax changes the heights above it after the browser has jumped."""
    page = max(PAGES, key=lambda p: sum(i.startswith("equation-") for i in parsed(p).ids))
    anchors = [i for i in parsed(page).ids if i.startswith("equation-")]
    assert anchors, "no labelled equation in the site"
    # The middle one: far enough down for MathJax to move it, not so far that the
    # page ends before it can reach the top of the window.
    anchor = anchors[len(anchors) // 2]
    visit = Visit(context, f"{urljoin(server, page)}#{anchor}")
    try:
        top = visit.page.evaluate("""async (id) => {
            let last = -1;  // wait until any scrolling has settled
            for (let i = 0; i < 50 && window.scrollY !== last; i++) {
                last = window.scrollY;
                await new Promise(r => setTimeout(r, 100));
            }
            return document.getElementById(id).getBoundingClientRect().top;
        }""", anchor)
        assert 0 <= top <= 100, f"{page}#{anchor} is {top:.0f} px below the window's top"
    finally:
        visit.close()


def test_copy_buttons_copy_code_without_prompts_or_output(context, server):
    """sphinx-copybutton: every doctest block of a page copies as code a reader can paste."""
    page = max(PAGES, key=lambda p: (SITE / p).read_text("utf-8").count('class="gp"'))
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.rstrip("/"))
    visit = Visit(context, urljoin(server, page))
    try:
        blocks = visit.page.locator("div.highlight:has(.gp)")
        assert blocks.count(), f"no code block with >>> prompts on {page}"
        other_lines = 0  # output and tracebacks, which must not be copied
        for block in blocks.all():
            text = block.locator("pre").inner_text()
            code = [line[4:] for line in text.splitlines() if line.startswith((">>> ", "... "))]
            other_lines += len(text.splitlines()) - len(code)
            block.hover()
            block.locator("button.copybtn").click()
            copied = visit.page.evaluate("navigator.clipboard.readText()")
            assert copied.rstrip("\n").splitlines() == code, text
        assert other_lines, f"no doctest on {page} has output: nothing was tested"
    finally:
        visit.close()


def test_dark_mode_math_is_legible(context, server):
    """In furo's dark theme, math takes the text colour (light on dark), not black."""
    page = max(PAGES, key=lambda p: parsed(p).math)
    visit = Visit(context, urljoin(server, page))
    try:
        visit.page.emulate_media(color_scheme="dark")
        colours = visit.page.evaluate("""() => ({
            text: getComputedStyle(document.querySelector("article")).color,
            math: getComputedStyle(document.querySelector("mjx-container")).color,
            background: getComputedStyle(document.body).backgroundColor})""")
        assert colours["math"] == colours["text"] != colours["background"], colours
        assert colours["background"] != "rgb(255, 255, 255)", colours
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        visit.page.screenshot(path=SCREENSHOTS / screenshot_name(page, "-dark"), full_page=True)
    finally:
        visit.close()


# --- reading comfort: phones and dark mode ---------------------------------------------------

PHONE = {"width": 400, "height": 860}

# At phone width: nothing wider than the window, every display equation inside its own box
# (fitting, or scrolling there), every figure a link to its image.
PHONE_LAYOUT = """() => {
    const article = document.querySelector("article").getBoundingClientRect();
    const equations = [...document.querySelectorAll('div.math > mjx-container[display="true"]')];
    return {
        pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
        equationsOutside: equations.filter(c => {
            const r = c.getBoundingClientRect();
            return r.left < article.left - 1 || r.right > article.right + 1;
        }).length,
        equationsNotScrolling: equations.filter(c => c.scrollWidth > c.clientWidth + 1 &&
            !["auto", "scroll"].includes(getComputedStyle(c).overflowX)).length,
        figuresWithoutLink: [...document.querySelectorAll("figure img")].filter(i => {
            const a = i.closest("a");
            return !a || new URL(a.href, location.href).href !== i.src;
        }).map(i => i.src),
        equations: equations.length,
    };
}"""


@pytest.mark.parametrize("page", PAGES or ["index.html"])
def test_page_at_phone_width(context, server, page):
    visit = Visit(context, urljoin(server, page), viewport=PHONE)
    try:
        layout = visit.page.evaluate(PHONE_LAYOUT)
        assert layout["pageOverflow"] <= 0, f"{page} is wider than a phone: {layout}"
        assert not layout["equationsOutside"], f"{page}: equations leave the column: {layout}"
        assert not layout["equationsNotScrolling"], f"{page}: {layout}"
        assert not layout["figuresWithoutLink"], f"{page}: figures without a full-size link"
        overlapping = visit.page.evaluate(EQUATION_OVER_NUMBER)
        assert not overlapping, f"equations running into their numbers on {page}: {overlapping}"
        assert not visit.errors, f"console errors: {visit.errors}"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        visit.page.screenshot(path=SCREENSHOTS / screenshot_name(page, "-phone"), full_page=True)
    finally:
        visit.close()


def figure_pages():
    return [p for p in PAGES if '<figure' in (SITE / p).read_text("utf-8")]


def mean_lightness(png):
    """Mean lightness, 0 (black) to 1 (white), of a screenshot."""
    import io

    import matplotlib.image
    return float(matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3].mean())


@pytest.mark.parametrize("page", figure_pages() or ["index.html"])
def test_figures_read_in_dark_mode(context, server, page):
    """Figures are drawn for a light page; in the dark theme they must not be light panels."""
    assert figure_pages(), "no page with a figure"
    lightness = {}
    for scheme in ("light", "dark"):
        visit = Visit(context, urljoin(server, page), color_scheme=scheme)
        try:
            images = visit.page.locator("figure img")
            assert images.count()
            lightness[scheme] = [mean_lightness(images.nth(k).screenshot())
                                 for k in range(images.count())]
            if scheme == "dark":
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                visit.page.screenshot(path=SCREENSHOTS / screenshot_name(page, "-dark"),
                                      full_page=True)
                # furo's theme button sets data-theme: dark on a light system too.
                visit.page.emulate_media(color_scheme="light")
                visit.page.evaluate("document.body.dataset.theme = 'dark'")
                chosen = images.first.evaluate("i => getComputedStyle(i).filter")
                assert "invert" in chosen, chosen
        finally:
            visit.close()
    assert min(lightness["light"]) > 0.75, lightness
    assert max(lightness["dark"]) < 0.3, lightness


# --- the whole book on one page (docs/_ext/lstmdoc_book.py) ---------------------------------

@pytest.fixture(scope="module")
def book(site):
    assert (site / BOOK).is_file(), f"no {BOOK} in the site"
    return parsed(BOOK)


def test_book_is_linked_from_the_index(site, book):
    assert BOOK in parsed("index.html").links


def test_book_has_unique_ids_and_every_link_lands(site, book):
    """Sphinx's singlehtml repeats ids and writes links with two fragments; the book may not."""
    assert len(book.ids) == len(set(book.ids)), sorted({i for i in book.ids if book.ids.count(i) > 1})
    broken = []
    for href in book.links:
        if urlsplit(href).scheme or href.startswith("//"):
            continue
        url, fragment = urldefrag(urljoin(BOOK, href))
        target = urlsplit(url).path or BOOK
        if not (site / target).is_file():
            broken.append(f"{href} (no file {target})")
        elif fragment and target == BOOK and fragment not in book.ids:
            broken.append(f"{href} (no id {fragment!r} in the book)")
        elif fragment and target.endswith(".html") and fragment not in parsed(target).ids:
            broken.append(f"{href} (no id {fragment!r} in {target})")
    assert not broken, "\n".join(broken)
    # Links between pages now land on the book's own page.
    assert sum(h.startswith("#book-") for h in book.links) > len(PAGES)


def test_book_holds_every_page_in_reading_order(site, book):
    """Each page's title, with its chapter number, in the order of the next links; its equations
    and figures all there (as many math nodes as the pages have)."""
    text = (site / BOOK).read_text(encoding="utf-8")
    titles = re.findall(r"<h1>(.*?)<a class=\"headerlink\"", text, re.S)
    order, page = [], "index.html"
    while page and page not in order:
        order.append(page)
        nxt = parsed(page).next
        page = urldefrag(urljoin(page, nxt))[0] if nxt else None
    expected = [re.search(r"<h1>(.*?)<a class=\"headerlink\"", (site / p).read_text("utf-8"),
                          re.S).group(1) for p in order]
    assert titles == expected
    articles = [re.search(r"<article[^>]*>(.*?)</article>", (site / p).read_text("utf-8"), re.S)
                .group(1) for p in order]  # a page's math and figures, not its sidebars'
    math = re.compile(r'class="math notranslate')
    assert len(math.findall(text)) == book.math == sum(len(math.findall(a)) for a in articles)
    assert text.count("<img ") == sum(a.count("<img ") for a in articles) > 0


def test_book_in_browser(context, server, book):
    """Every equation typeset, every figure loaded, nothing fetched off the site."""
    context.set_default_timeout(120_000)  # the book typesets every page's equations at once
    try:
        visit = Visit(context, urljoin(server, BOOK), network_idle=False)
    finally:
        context.set_default_timeout(30_000)
    try:
        off_site = [u for u in visit.requests
                    if not u.startswith(server) and not u.startswith(("data:", "blob:"))]
        assert not off_site, f"requests leave the site: {off_site}"
        assert not visit.failed, f"failed requests: {visit.failed}"
        assert not visit.errors, f"console errors: {visit.errors}"
        check_math(visit, book.math, BOOK)
        broken = visit.page.evaluate("""() => [...document.images]
            .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.currentSrc || i.src)""")
        assert not broken, f"images that did not load: {broken}"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        visit.page.screenshot(path=SCREENSHOTS / "book.png")  # the first screen: it is long
        visit.page.emulate_media(media="print")
        breaks = visit.page.evaluate("""() => [...document.querySelectorAll(".lstmdoc-book-page")]
            .slice(1).filter(p => getComputedStyle(p).breakBefore !== "page").length""")
        assert breaks == 0, "on paper, every page of the site starts a new sheet"
    finally:
        visit.close()


def test_download_notebook_links_are_visible_and_fetch_notebooks(context, server):
    """A Step page shows its two links under its title; each fetches a version-4 notebook."""
    visit = Visit(context, urljoin(server, "steps/dot.html"))
    try:
        bar = visit.page.locator("p.lstmdoc-notebook-links")
        assert bar.is_visible()
        title_bottom = visit.page.locator("h1").bounding_box()["y"]
        assert bar.bounding_box()["y"] > title_bottom  # under the title
        links = bar.locator("a[download]")
        assert links.all_inner_texts() == ["Download notebook", "exercise notebook"]
        for k in range(links.count()):
            url = urljoin(visit.page.url, links.nth(k).get_attribute("href"))
            notebook = visit.page.request.get(url).json()
            assert notebook["nbformat"] == 4 and notebook["cells"], url
    finally:
        visit.close()
