// Opened from disk (file://), the browser blocks the fetch() with which Sphinx's search
// shows a summary under each hit: list the hits without summaries, and without errors.
if (location.protocol === "file:") DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
