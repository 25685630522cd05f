// Candidate pool pages: interest marks toggle in place. Without this file (or if the request
// fails) the forms post and the page reloads, which works just as well.
(function () {
  "use strict";

  function update(form, result) {
    var button = form.querySelector("button");
    var marked = form.querySelector("[data-marked]");
    var count = form.querySelector("[data-count]");
    button.setAttribute("aria-pressed", result.marked ? "true" : "false");
    marked.value = result.marked ? "0" : "1";
    count.textContent = String(result["interest_" + result.kind]);
  }

  document.querySelectorAll("form[data-interest]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) { return; }
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (result) {
        button.disabled = false;
        update(form, result);
      }).catch(function () {
        form.submit();  // the plain post: the page reloads with the result or the error
      });
    });
  });
})();
