// Math in reviews: render_markdown wraps `$…$` and `$$…$$` in <span class="math">; KaTeX
// (vendored in static/vendor/katex/) typesets them on page load and after every markdownx
// preview update. The span's text stays the source if KaTeX is missing or the TeX is invalid.
(function () {
  "use strict";

  function typeset(span) {
    if (!window.katex || span.hasAttribute("data-math-done")) { return; }
    var source = span.textContent;
    var display = source.length >= 4 && source.slice(0, 2) === "$$" && source.slice(-2) === "$$";
    var tex = display ? source.slice(2, -2) : source.replace(/^\$/, "").replace(/\$$/, "");
    try {
      window.katex.render(tex, span, { displayMode: display, throwOnError: false });
      span.setAttribute("data-math-done", "");
      span.setAttribute("title", source);
      if (display) { span.classList.add("math-display"); }
    } catch (error) {
      span.textContent = source;
    }
  }

  function typesetIn(root) {
    if (!root || !root.querySelectorAll) { return; }
    root.querySelectorAll("span.math").forEach(typeset);
  }

  window.SeminarMath = { typesetIn: typesetIn };

  function start() {
    typesetIn(document);
    // markdownx fires `markdownx.update` on each editor (it does not bubble): listen while it
    // travels down, in the capture phase.
    document.addEventListener("markdownx.update", function (event) { typesetIn(event.target); }, true);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
