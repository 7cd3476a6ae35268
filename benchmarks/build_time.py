"""Time the site's build and check that it is reproducible.

    .venv/bin/python benchmarks/build_time.py

In a private copy of the working tree (so nothing generated is reused, and other
builds in this tree are neither disturbed nor reused), it

1. builds the site from clean twice: the build directory and ``docs/_generated``
   (the verification table and the figures) removed before each build;
2. compares the two sites file by file, byte for byte: every HTML page, figure,
   search index and static asset (MathJax included). Only ``.doctrees/`` is left
   out: Sphinx's pickled build cache, which is not part of the site;
3. touches one page (``docs/notation.md``), times the incremental rebuild, and
   checks that it produced the same site again.

The build is the one ``make html`` runs: the same sphinx-build options and
environment, both read from the Makefile. Exits with status 1 if any file differs.
"""

import argparse
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOUCHED = "docs/notation.md"
NOT_PUBLISHED = ".doctrees"


def make_settings():
    """The environment exports and SPHINXOPTS of the Makefile, so the build here is `make html`'s."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    env = dict(re.findall(r"^export (\w+)\s*=\s*(.*?)\s*$", text, flags=re.M))
    opts = re.search(r"^SPHINXOPTS\s*\?=\s*(.*?)\s*$", text, flags=re.M).group(1).split()
    return env, opts


def copy_tree(dest):
    """Copy the working tree's files (tracked, or new and not ignored) to ``dest``."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                           check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():  # a deleted but tracked file is listed too
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)


def build(src, sphinx_build, env, opts):
    """One `make html`-equivalent build in ``src``; returns the wall time in seconds."""
    cmd = [sphinx_build, "-c", ".", *opts, "-q", "-b", "html", "docs", "_build/html"]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=src, env={**os.environ, **env},
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"build failed ({' '.join(cmd)}):\n{done.stdout}{done.stderr}")
    return elapsed


def clean(src):
    for d in ("_build", "docs/_generated"):
        shutil.rmtree(src / d, ignore_errors=True)


def site_files(site):
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*")
                  if p.is_file() and NOT_PUBLISHED not in p.relative_to(site).parts)


def differences(a, b):
    """Files present in only one site, or whose bytes differ."""
    fa, fb = site_files(a), site_files(b)
    only = sorted(set(fa) ^ set(fb))
    differ = [f for f in sorted(set(fa) & set(fb))
              if not filecmp.cmp(a / f, b / f, shallow=False)]
    return only, differ


def report(what, a, b):
    only, differ = differences(a, b)
    if not only and not differ:
        print(f"{what}: identical ({len(site_files(a))} files)")
        return True
    print(f"{what}: NOT identical")
    for f in only:
        print(f"  only in one build: {f}")
    for f in differ:
        print(f"  differs: {f}")
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sphinx-build", default=str(ROOT / ".venv" / "bin" / "sphinx-build"),
                        help="the sphinx-build to run (default: the project's .venv)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy")
    args = parser.parse_args()
    if shutil.which(args.sphinx_build) is None:
        sys.exit(f"build_time.py: no sphinx-build at {args.sphinx_build}. Run `make html` once "
                 "(it creates .venv with the docs dependencies), or pass --sphinx-build PATH.")
    env, opts = make_settings()

    tmp = Path(tempfile.mkdtemp(prefix="lstmdoc-bench-"))
    src, first = tmp / "src", tmp / "first"
    try:
        copy_tree(src)
        print(f"sphinx-build -c . {' '.join(opts)} -b html docs _build/html, in a copy at {src}")
        print(f"environment (from the Makefile): {' '.join(f'{k}={v}' for k, v in env.items())}")
        print(f"machine: {os.cpu_count()} cores")

        clean(src)
        t1 = build(src, args.sphinx_build, env, opts)
        shutil.move(src / "_build" / "html", first)
        clean(src)
        t2 = build(src, args.sphinx_build, env, opts)
        site = src / "_build" / "html"
        size = sum((site / f).stat().st_size for f in site_files(site))
        print(f"clean build 1: {t1:6.1f} s")
        print(f"clean build 2: {t2:6.1f} s   (site: {len(site_files(site))} files, "
              f"{size / 1e6:.1f} MB without {NOT_PUBLISHED}/)")
        same = report("two clean builds", first, site)

        (src / TOUCHED).touch()
        t3 = build(src, args.sphinx_build, env, opts)
        print(f"incremental rebuild after touching {TOUCHED}: {t3:6.1f} s")
        same = report("incremental rebuild vs clean build", first, site) and same
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
