// "Copy for KakaoTalk" on the week page: copies the brief's text. Without JavaScript the
// button stays hidden and the text sits in a read-only box to select and copy by hand.
(function () {
  "use strict";
  document.querySelectorAll("[data-brief-copy]").forEach(function (button) {
    var box = document.getElementById(button.getAttribute("data-brief-copy"));
    var status = button.parentElement.querySelector("[data-brief-status]");
    if (!box) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var say = function (label) { if (status) status.textContent = label; };
      var fallback = function () {
        box.focus();
        box.select();
        try {
          say(document.execCommand("copy") ? button.dataset.copiedLabel : button.dataset.failedLabel);
        } catch (e) {
          say(button.dataset.failedLabel);
        }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(box.value).then(function () {
          say(button.dataset.copiedLabel);
        }, fallback);
      } else {
        fallback();
      }
    });
  });
})();
