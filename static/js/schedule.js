// The schedule board: search-as-you-type over the candidate pool in each "Add a topic" form.
// Picking a result fills the title and the arXiv id; the form is then submitted as usual, so
// without this script the same form still works with a typed title or arXiv id.
(function () {
  "use strict";
  var MIN_CHARS = 2;
  var DELAY_MS = 200;

  function setup(form) {
    var input = form.querySelector("[data-search-input]");
    var paperInput = form.querySelector("[data-paper-input]");
    var list = form.querySelector("[data-results]");
    var url = form.getAttribute("data-paper-search");
    if (!input || !paperInput || !list || !url) { return; }
    var timer = null;
    var controller = null;
    var picked = null; // the title a pick wrote, to notice when the organizer types over it

    function close() {
      list.hidden = true;
      list.textContent = "";
    }

    function note(text) {
      list.textContent = "";
      var item = document.createElement("li");
      item.className = "search-note";
      item.textContent = text;
      list.appendChild(item);
      list.hidden = false;
    }

    function pick(paper) {
      input.value = paper.title || paper.arxiv_id;
      paperInput.value = paper.arxiv_id;
      picked = input.value;
      close();
      input.focus();
    }

    function render(results) {
      list.textContent = "";
      if (!results.length) {
        note(form.getAttribute("data-empty-label") || "—");
        return;
      }
      results.forEach(function (paper) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "search-result";
        button.setAttribute("data-arxiv-id", paper.arxiv_id);
        var title = document.createElement("span");
        title.className = "search-result-title";
        title.textContent = paper.title || paper.arxiv_id;
        var meta = document.createElement("span");
        meta.className = "search-result-meta";
        meta.textContent = paper.arxiv_id + (paper.status && paper.status !== "candidate" ? " · " + (paper.status_label || paper.status) : "") +
          (paper.votes ? " · ▲" + paper.votes : "");
        button.appendChild(title);
        button.appendChild(meta);
        button.addEventListener("click", function () { pick(paper); });
        button.addEventListener("keydown", function (event) {
          var sibling = null;
          if (event.key === "ArrowDown") { sibling = item.nextElementSibling; }
          if (event.key === "ArrowUp") { sibling = item.previousElementSibling; }
          if (event.key === "Escape") { close(); input.focus(); event.preventDefault(); return; }
          if (sibling) { sibling.querySelector("button").focus(); event.preventDefault(); }
          else if (event.key === "ArrowUp") { input.focus(); event.preventDefault(); }
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      list.hidden = false;
    }

    function search() {
      var query = input.value.trim();
      if (query.length < MIN_CHARS) { close(); return; }
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (data) {
        if (input.value.trim() === query) { render(data.results || []); }
      }).catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        note(form.getAttribute("data-error-label") || "!");
      });
    }

    input.addEventListener("input", function () {
      if (picked !== null && input.value !== picked) {
        // Typing over a picked paper starts a new search: the old link no longer applies.
        paperInput.value = "";
        picked = null;
      }
      clearTimeout(timer);
      timer = setTimeout(search, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && !list.hidden) {
        var first = list.querySelector("button");
        if (first) { first.focus(); event.preventDefault(); }
      } else if (event.key === "Escape") {
        close();
      }
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) { close(); }
    });
  }

  document.querySelectorAll("form[data-paper-search]").forEach(setup);
})();
