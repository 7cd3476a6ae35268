"""A MyST page as a Jupyter notebook: prose as Markdown cells, doctest examples as code cells.

jupytext turns only ``{code-cell}`` directives into code cells; these pages' examples
are ``{doctest}`` blocks. So the page is parsed into tokens by the parser MyST itself
uses (:func:`myst_parser.parsers.mdit.create_md_parser`), and each top-level block is
either kept as Markdown (its source lines, with MyST's roles and page links made plain
Markdown) or converted:

- a ``{doctest}`` block becomes code cells, the ``>>>``/``...`` prompts stripped by
  :class:`doctest.DocTestParser`; a cell ends after each example that has expected
  output, so the output a notebook shows under a cell is the one the page shows;
- a labelled equation ``$$ ... $$ (label)`` gets its number as ``\\tag{2.6}``;
- ``{figure}`` becomes an image attachment and its caption, ``{literalinclude}`` the
  code it includes, ``{include}`` the included page's blocks, an admonition a quote.

Another directive is the resolver's to convert (``resolver.directive``); anything else
MyST-specific stops the conversion with :class:`NotConvertible`, so no page loses a
block silently. What the page's words point to (equation numbers, API
names, other pages, figures, included files) is answered by a *resolver*, the Sphinx
extension ``lstmdoc_notebooks``: this module knows Markdown, not Sphinx.
"""

import base64
import doctest
import posixpath
import re

from nbformat import NotebookNode
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.directives import is_option_line
from myst_parser.parsers.mdit import create_md_parser
from myst_parser.parsers.options import options_to_items

ROLE = re.compile(r"\{(?P<name>[a-z:]+)\}`(?P<target>[^`]+)`")
LINK = re.compile(r"\]\((?P<url>[^)\s]+)\)")
DIRECTIVE = re.compile(r"^\{(?P<name>[a-z-]+)\}\s*(?P<argument>.*)$")
# Blocks that keep their source as Markdown; the others are converted or refused.
PROSE = {"paragraph_open", "heading_open", "table_open", "bullet_list_open",
         "ordered_list_open", "blockquote_open", "math_block", "amsmath", "hr"}
SKIPPED = {"myst_target", "myst_line_comment"}
SKIPPED_DIRECTIVES = {"toctree"}  # the site's navigation: a notebook has none


class NotConvertible(ValueError):
    """A block of the page that has no notebook form."""


# nbformat.v4's new_*_cell validate every cell against the schema, which cost most of the
# conversion's time; the notebook is validated once, whole, when it is written.
def markdown_cell(source):
    return NotebookNode(cell_type="markdown", metadata=NotebookNode(), source=source)


def code_cell(source, tags=()):
    metadata = NotebookNode(tags=list(tags)) if tags else NotebookNode()
    return NotebookNode(cell_type="code", execution_count=None, metadata=metadata,
                        outputs=[], source=source)


def markdown_parser(config):
    """markdown-it configured as MyST is by ``config`` (a :class:`MdParserConfig` or a dict)."""
    if isinstance(config, dict):
        config = MdParserConfig(**config)
    md = create_md_parser(config, RendererHTML)
    # Only the blocks and their source lines are used: inline parsing would be wasted time.
    md.disable("inline")
    return md


def split_directive(token):
    """``(name, argument, options, body)`` of a fenced directive, or None for plain code."""
    found = DIRECTIVE.match(token.info.strip())
    if not found:
        return None
    lines = token.content.splitlines()
    option_lines = []
    while lines and is_option_line(lines[0]):  # read as MyST reads them (quotes, ...)
        option_lines.append(lines.pop(0).lstrip()[1:])
    options = dict(options_to_items("\n".join(option_lines))[0])
    return found["name"], found["argument"].strip(), options, "\n".join(lines).strip("\n")


def doctest_cells(text, name):
    """Code cells of one doctest block: each ends with an example that expects output."""
    examples = doctest.DocTestParser().get_examples(text, name)
    cells, group = [], []
    for example in examples:
        group.append(example)
        if example.want or example.exc_msg is not None or example is examples[-1]:
            # Run All goes on past an expected exception (the cell's tag says it is expected).
            tags = ["raises-exception"] if example.exc_msg is not None else []
            cells.append(code_cell("".join(e.source for e in group).rstrip("\n"), tags))
            group = []
    return cells


class Converter:
    """One page's blocks into cells; ``resolver`` answers what the page refers to."""

    def __init__(self, md, resolver):
        self.md, self.resolver = md, resolver
        self.cells, self.prose = [], []

    def convert(self, text, path):
        """Convert the page ``text`` at ``path`` (its source path, relative to the docs)."""
        lines = text.splitlines()
        tokens = self.md.parse(text, {})
        for token in tokens:
            if token.level != 0 or token.type.endswith("_close") or token.type == "inline":
                continue
            self.block(token, lines, path)
        return self

    def block(self, token, lines, path):
        if token.type == "heading_open":
            self.flush()  # a cell per section, as notebooks are read
        if token.type in PROSE:
            source = "\n".join(lines[token.map[0]:token.map[1]])
            self.add_markdown(self.inline(source, path))
        elif token.type == "math_block_label":
            number = self.resolver.equation(token.info)
            self.add_markdown(f"$$\n{token.content.strip()}\n\\tag{{{number}}}\n$$")
        elif token.type in ("fence", "colon_fence"):
            self.fence(token, lines, path)
        elif token.type not in SKIPPED:
            raise NotConvertible(f"{path}, line {token.map[0] + 1}: a {token.type} block")

    def fence(self, token, lines, path):
        directive = split_directive(token)
        if directive is None:  # plain code (python, console, text): shown as it is
            self.add_markdown("\n".join(lines[token.map[0]:token.map[1]]))
            return
        name, argument, options, body = directive
        if name == "doctest":
            self.flush()
            self.cells += doctest_cells(body, f"{path}:{token.map[0] + 1}")
        elif name == "figure":
            self.figure(argument, options, body, path)
        elif name == "literalinclude":
            code = self.resolver.literalinclude(path, argument, options)
            self.add_markdown(f"```{options.get('language', '')}\n{code.rstrip()}\n```")
        elif name == "include":
            included = posixpath.normpath(posixpath.join(posixpath.dirname(path), argument))
            self.convert(self.resolver.read(included), included)
        elif name in ("admonition", "note", "tip", "warning"):
            self.admonition(argument or name.capitalize(), body, path)
        elif name not in SKIPPED_DIRECTIVES:
            markdown = self.resolver.directive(name, argument, options, body)
            if markdown is None:
                raise NotConvertible(f"{path}, line {token.map[0] + 1}: the {{{name}}} directive")
            self.add_markdown(markdown)

    def figure(self, argument, options, caption, path):
        """The image as an attachment of its cell (the notebook stays one file), and its caption."""
        src = posixpath.normpath(posixpath.join(posixpath.dirname(path), argument))
        data, mime, number = self.resolver.figure(src)
        filename = posixpath.basename(src)
        alt = options.get("alt", "").replace("]", ")").replace("[", "(")
        cell = markdown_cell(f"![{alt}](attachment:{filename})\n\n"
                             f"*Figure {number}.* {self.inline(caption, path)}")
        cell["attachments"] = {filename: {mime: base64.b64encode(data).decode("ascii")}}
        self.flush()
        self.cells.append(cell)

    def admonition(self, title, body, path):
        """A quote, its title in bold; examples inside it stay code cells between the quotes."""
        inner = Converter(self.md, self.resolver).convert(body, path).done()
        self.flush()
        for k, cell in enumerate(inner):
            if cell.cell_type == "markdown":
                text = (f"**{title}**\n\n" if k == 0 else "") + cell.source
                cell.source = "\n".join(f"> {line}".rstrip() for line in text.splitlines())
            self.cells.append(cell)
        if not inner or inner[0].cell_type != "markdown":
            self.cells.insert(len(self.cells) - len(inner), markdown_cell(f"> **{title}**"))

    def inline(self, text, path):
        """Links to pages as links the resolver chooses, MyST roles as plain text (or links,
        made by the resolver: roles come second, so that their links are not redone)."""
        text = LINK.sub(lambda m: f"]({self.resolver.link(m['url'], path)})", text)
        return ROLE.sub(lambda m: self.resolver.role(m["name"], m["target"], path), text)

    def add_markdown(self, text):
        self.prose.append(text)

    def flush(self):
        if self.prose:
            self.cells.append(markdown_cell("\n\n".join(self.prose)))
            self.prose = []

    def done(self):
        self.flush()
        return self.cells
