// Discussion (#15): the bell's count, reactions, "answered" and "read" without a reload, and
// the @mention autocomplete. Every form here also works without this script (a plain POST and
// a redirect back); the script sends the same POST asking for JSON and updates the page.
(function () {
  "use strict";

  function postForJson(form) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    });
  }

  // Falls back to the plain form post when anything goes wrong.
  function enhance(selector, onResult) {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches || !form.matches(selector) || form.hasAttribute("data-plain")) { return; }
      event.preventDefault();
      postForJson(form).then(function (data) { onResult(form, data); }, function () {
        form.setAttribute("data-plain", "");
        form.submit();
      });
    });
  }

  // --- the bell ------------------------------------------------------------------------------

  function setBell(count) {
    document.querySelectorAll("[data-unread-count]").forEach(function (badge) {
      badge.removeAttribute("data-unknown");
      badge.querySelector("[data-count-value]").textContent = count ? String(count) : "";
      badge.hidden = !count;
    });
  }

  var bell = document.querySelector("[data-notification-bell]");
  var unknown = document.querySelector("[data-unread-count][data-unknown]");
  if (bell && unknown) {
    fetch(bell.getAttribute("data-unread-url"), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { setBell(data.unread); } }, function () {});
  }

  // --- reactions, answered, read ---------------------------------------------------------------

  enhance("form[data-reaction-form]", function (form, data) {
    var group = form.closest("[data-reactions]");
    (data.reactions || []).forEach(function (reaction) {
      var button = group.querySelector('[data-reaction="' + reaction.kind + '"]');
      if (!button) { return; }
      button.querySelector("[data-count]").textContent = String(reaction.count);
      button.setAttribute("aria-pressed", reaction.mine ? "true" : "false");
      button.classList.toggle("reaction-mine", reaction.mine);
    });
  });

  enhance("form[data-answer-form]", function (form, data) {
    var holder = form.closest("[data-comment], [data-question]");
    var badge = holder && holder.querySelector("[data-answered]");
    if (badge) { badge.hidden = !data.answered; }
    var button = form.querySelector("[data-answer]");
    button.textContent = button.getAttribute(data.answered ? "data-label-off" : "data-label-on");
    form.querySelector('input[name="answered"]').value = data.answered ? "0" : "1";
  });

  enhance("form[data-mark-read-form]", function (form, data) {
    var row = form.closest("[data-notification]");
    if (row) {
      row.classList.remove("notification-unread");
      var badge = row.querySelector(".badge");
      if (badge) { badge.remove(); }
    }
    form.remove();
    setBell(data.unread);
    var total = document.querySelector("[data-unread-total]");
    if (total && data.unread === 0) { total.classList.remove("badge-open"); }
  });

  // --- @mention autocomplete ---------------------------------------------------------------------

  // The `@` being typed before the caret: `@` then up to 30 characters, `@[` for names with
  // spaces. Nothing is suggested inside a word (an email address).
  var TOKEN = /(^|[^\w@])@(\[[^\]\n]{0,30}|[^\s@[\]]{1,30})$/u;
  var counter = 0;

  function attach(textarea) {
    if (textarea.hasAttribute("data-mention-ready")) { return; }
    textarea.setAttribute("data-mention-ready", "");
    var url = textarea.getAttribute("data-members-url");
    if (!url) { return; }
    counter += 1;
    var list = document.createElement("ul");
    list.id = "mention-list-" + counter;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    textarea.parentNode.insertBefore(list, textarea.nextSibling);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", list.id);
    var active = -1;
    var members = [];
    var timer = null;
    var match = null;

    function close() {
      list.hidden = true;
      list.textContent = "";
      members = [];
      active = -1;
      textarea.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (items[index]) { textarea.setAttribute("aria-activedescendant", items[index].id); }
    }

    function choose(index) {
      var member = members[index];
      if (!member || !match) { return; }
      var caret = textarea.selectionStart;
      var before = textarea.value.slice(0, caret);
      var start = before.length - match.length;
      var inserted = "@[" + member.name + "] ";
      textarea.value = textarea.value.slice(0, start) + inserted + textarea.value.slice(caret);
      var at = start + inserted.length;
      textarea.setSelectionRange(at, at);
      close();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      textarea.focus();
    }

    function show(found) {
      list.textContent = "";
      members = found;
      if (!found.length) { close(); return; }
      found.forEach(function (member, index) {
        var item = document.createElement("li");
        item.id = list.id + "-" + index;
        item.setAttribute("role", "option");
        item.textContent = member.name;  // text, never HTML
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(index); });
        list.appendChild(item);
      });
      list.hidden = false;
      highlight(0);
    }

    textarea.addEventListener("input", function () {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var found = TOKEN.exec(before);
      if (!found) { match = null; close(); return; }
      match = "@" + found[2];
      var query = found[2].replace(/^\[/, "");
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(query), {
          credentials: "same-origin",
          headers: { "Accept": "application/json" }
        }).then(function (response) { return response.ok ? response.json() : { members: [] }; })
          .then(function (data) { if (match) { show(data.members || []); } }, close);
      }, 150);
    });

    textarea.addEventListener("keydown", function (event) {
      if (list.hidden || !members.length) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % members.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight((active - 1 + members.length) % members.length);
      } else if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        choose(active < 0 ? 0 : active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    textarea.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.querySelectorAll("textarea[data-mention-input]").forEach(attach);
})();
