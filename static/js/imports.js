// Digest import pages: follow running imports by polling their JSON progress endpoint.
// Loaded as a file (no inline scripts: the site's CSP forbids them).
(function () {
  "use strict";
  var INTERVAL_MS = 2000;
  var BADGES = { done: "badge-ok", partial: "badge-warn", failed: "badge-bad" };

  function show(element, data) {
    element.querySelectorAll("[data-field]").forEach(function (node) {
      var name = node.getAttribute("data-field");
      if (Object.prototype.hasOwnProperty.call(data, name)) {
        node.textContent = String(data[name]);
      }
    });
    var bar = element.querySelector("progress");
    if (bar) {
      bar.max = Math.max(data.papers_total, 1);
      bar.value = data.papers_done;
      bar.textContent = data.papers_done + "/" + data.papers_total;
      if (data.finished) { bar.hidden = true; }
    }
    var badge = element.querySelector("[data-status]");
    if (badge) {
      badge.textContent = data.status_label;
      badge.className = "badge " + (BADGES[data.status] || "badge-open");
    }
  }

  function poll(element) {
    var url = element.getAttribute("data-progress-url");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        show(element, data);
        if (!data.finished) {
          window.setTimeout(function () { poll(element); }, INTERVAL_MS);
        } else if (element.hasAttribute("data-reload-when-finished")) {
          window.location.reload();  // the errors and papers of the run appear
        }
      })
      .catch(function () {
        // Signed out, or the server is restarting: back off, then try again.
        window.setTimeout(function () { poll(element); }, INTERVAL_MS * 5);
      });
  }

  document.querySelectorAll("[data-progress-url]").forEach(function (element) {
    window.setTimeout(function () { poll(element); }, INTERVAL_MS);
  });
})();
