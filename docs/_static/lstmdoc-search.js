// lstmdoc's additions to Sphinx's search page (loaded before searchtools.js).

// Opened from disk (file://), the browser blocks the fetch() with which Sphinx's search
// shows a summary under each hit: list the hits without summaries, and without errors.
if (location.protocol === "file:") DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;

// A summary is plain text cut from the page's HTML, where math is still TeX source:
// leave display equations out and show inline math without its \( \) delimiters.
// Wrapped on DOMContentLoaded, before searchtools.js's own handler starts a search.
document.addEventListener("DOMContentLoaded", () => {
  const htmlToText = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll("div.math").forEach((el) => el.remove());
    doc.querySelectorAll("span.math").forEach((el) => {
      el.textContent = el.textContent.replace(/^\s*\\\(\s*|\s*\\\)\s*$/g, "");
    });
    return htmlToText(doc.documentElement.outerHTML, anchor);
  };
});
