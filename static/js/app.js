// Small behaviours shared by every page. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy-target"));
      if (!source) { return; }
      navigator.clipboard.writeText(source.value || source.textContent).then(function () {
        var label = button.textContent;
        button.textContent = button.getAttribute("data-copied-label") || "✓";
        setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });
  // Copy a URL's text (e.g. a week's markdown export) without putting it into the page first.
  document.querySelectorAll("[data-copy-url]").forEach(function (button) {
    button.addEventListener("click", function () {
      var label = button.textContent;
      var text = fetch(button.getAttribute("data-copy-url"), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.text();
        });
      // A ClipboardItem holding a promise keeps the click's permission while the text loads.
      var copied = window.ClipboardItem && navigator.clipboard.write
        ? navigator.clipboard.write([new window.ClipboardItem({
            "text/plain": text.then(function (value) { return new Blob([value], { type: "text/plain" }); })
          })])
        : text.then(function (value) { return navigator.clipboard.writeText(value); });
      copied.then(function () {
        button.textContent = button.getAttribute("data-copied-label") || "✓";
      }, function () {
        button.textContent = button.getAttribute("data-failed-label") || "✗";
      }).then(function () {
        setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
