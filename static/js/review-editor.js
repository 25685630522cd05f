// The review editor: sections added, removed and reordered in place; drafts saved while typing
// (fetch POST to a JSON endpoint) and on demand; a copy of everything typed kept in
// localStorage until the server has it, offered back after a failure or a lost session.
// Without JavaScript the same buttons post the form and the server does the work.
(function () {
  "use strict";

  var form = document.querySelector("form[data-review-editor]");
  if (!form) { return; }

  var text = JSON.parse(document.getElementById("editor-messages").textContent);
  var list = form.querySelector("[data-section-list]");
  var template = document.getElementById("section-template");
  var status = form.querySelector("[data-save-status]");
  var versionInput = form.querySelector("[data-version]");
  var totalInput = form.querySelector('input[name$="-TOTAL_FORMS"]');
  var autosaveOn = form.getAttribute("data-autosave") === "on";
  var storageKey = form.getAttribute("data-storage-key");
  var banner = document.getElementById("restore-banner");
  var AUTOSAVE_DELAY = 1500;
  var timer = null;
  var inFlight = false;
  var again = false;
  var afterSave = null;
  var stopped = false;

  function format(message, values) {
    return message.replace(/\{(\w+)\}/g, function (match, key) {
      return values[key] === undefined ? match : values[key];
    });
  }

  function setStatus(message, kind) {
    status.textContent = message;
    status.setAttribute("data-kind", kind || "");
  }

  function sectionItems() {
    return Array.prototype.slice.call(list.querySelectorAll("[data-section]"));
  }

  // --- what is typed ------------------------------------------------------------------------

  function snapshot() {
    return sectionItems().map(function (item) {
      return {
        heading: item.querySelector(".section-heading").value,
        body: item.querySelector("textarea").value
      };
    });
  }

  // The server trims what it stores; compare like with like so a saved text is not "unsaved".
  function normalized(sections) {
    return JSON.stringify(sections.map(function (section) {
      var lines = section.body.replace(/\r\n?/g, "\n").split("\n").map(function (line) {
        return line.replace(/\s+$/, "");
      });
      while (lines.length && !lines[0]) { lines.shift(); }
      while (lines.length && !lines[lines.length - 1]) { lines.pop(); }
      return {
        heading: section.heading.trim().replace(/\s+/g, " ").replace(/[.。\s]+$/, ""),
        body: lines.join("\n")
      };
    }).filter(function (section) { return section.heading || section.body; }));
  }

  function storeLocal() {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify({ at: Date.now(), sections: snapshot() }));
    } catch (error) { /* private mode or full: the server copy still counts */ }
  }

  function readLocal() {
    try {
      var stored = JSON.parse(window.localStorage.getItem(storageKey) || "null");
      return stored && Array.isArray(stored.sections) ? stored : null;
    } catch (error) {
      return null;
    }
  }

  function clearLocal() {
    try { window.localStorage.removeItem(storageKey); } catch (error) { /* ignore */ }
  }

  // --- sections -----------------------------------------------------------------------------

  var PREFIX = /sections-(\d+|__prefix__)(?=-|$)/;

  function renumber() {
    var items = sectionItems();
    items.forEach(function (item, index) {
      item.querySelector("[data-section-number]").textContent = (index + 1) + ".";
      item.querySelectorAll("[name], [id], [for], [data-preview-for], button[value]").forEach(function (element) {
        ["name", "id", "for", "data-preview-for"].concat(element.tagName === "BUTTON" ? ["value"] : []).forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value && PREFIX.test(value)) {
            element.setAttribute(attribute, value.replace(PREFIX, "sections-" + index));
          }
        });
      });
      item.querySelector('[data-move="up"]').disabled = index === 0;
      item.querySelector('[data-move="down"]').disabled = index === items.length - 1;
    });
    totalInput.value = String(items.length);
  }

  // markdownx wires up the editors it finds when its script runs; running it again wires up
  // the new ones (it skips editors it already knows).
  function wireMarkdownx() {
    var original = document.querySelector('script[src*="markdownx/js/markdownx"]');
    if (!original) { return; }
    var script = document.createElement("script");
    script.src = original.src;
    document.body.appendChild(script);
  }

  function addSection(values) {
    var fragment = template.content.cloneNode(true);
    var item = fragment.querySelector("[data-section]");
    list.appendChild(fragment);
    renumber();
    if (values) {
      item.querySelector(".section-heading").value = values.heading || "";
      item.querySelector("textarea").value = values.body || "";
    }
    wireMarkdownx();
    return item;
  }

  function removeSection(item) {
    var body = item.querySelector("textarea").value.trim();
    if (body && !window.confirm(text.confirmRemove)) { return; }
    var next = item.nextElementSibling || item.previousElementSibling;
    item.parentNode.removeChild(item);
    renumber();
    changed();
    if (next) { next.querySelector(".section-heading").focus(); }
  }

  function moveSection(item, direction) {
    if (direction === "up" && item.previousElementSibling) {
      list.insertBefore(item, item.previousElementSibling);
    } else if (direction === "down" && item.nextElementSibling) {
      list.insertBefore(item.nextElementSibling, item);
    } else {
      return;
    }
    renumber();
    changed();
    var button = item.querySelector('[data-move="' + direction + '"]');
    (button.disabled ? item.querySelector(".section-heading") : button).focus();
  }

  function applySnapshot(sections) {
    var items = sectionItems();
    items.slice(sections.length).forEach(function (item) { item.parentNode.removeChild(item); });
    sections.forEach(function (section, index) {
      var item = items[index];
      if (!item) {
        addSection(section);
        return;
      }
      item.querySelector(".section-heading").value = section.heading || "";
      var textarea = item.querySelector("textarea");
      textarea.value = section.body || "";
      textarea.dispatchEvent(new Event("input", { bubbles: true })); // refreshes the preview
    });
    renumber();
  }

  // --- saving -------------------------------------------------------------------------------

  function changed() {
    storeLocal();
    if (!autosaveOn || stopped) { return; }
    setStatus(text.unsaved, "");
    window.clearTimeout(timer);
    timer = window.setTimeout(autosave, AUTOSAVE_DELAY);
  }

  function csrfToken() {
    var input = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function autosave() {
    window.clearTimeout(timer);
    if (!autosaveOn || stopped) { return; }
    if (inFlight) { again = true; return; }
    inFlight = true;
    again = false;
    var sent = normalized(snapshot());
    var data = new FormData(form);
    data.delete("action");
    setStatus(text.saving, "");
    window.fetch(form.getAttribute("data-autosave-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () {
        return { error: "HTTP " + response.status + "." };
      }).then(function (body) {
        if (response.ok) {
          versionInput.value = body.version;
          setStatus(format(text.saved, { time: body.saved_at }), "ok");
          var badge = document.querySelector("[data-state-badge].state-not_started");
          if (badge) {
            badge.classList.replace("state-not_started", "state-draft");
            badge.textContent = text.draftState;
          }
          if (normalized(snapshot()) === sent) { clearLocal(); }
          return;
        }
        // A conflict or a lost right to edit will not fix itself: stop retrying.
        if (response.status === 409 || response.status === 403) { stopped = true; }
        setStatus(format(text.failed, { reason: body.error || "" }), "error");
      });
    }).catch(function () {
      setStatus(format(text.failed, { reason: text.offline }), "error");
    }).then(function () {
      inFlight = false;
      if (afterSave) {
        var submit = afterSave;
        afterSave = null;
        submit();
      } else if (again) {
        autosave();
      }
    });
  }

  // --- events -------------------------------------------------------------------------------

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !form.contains(button)) { return; }
    var item = button.closest("[data-section]");
    if (button.hasAttribute("data-add-section")) {
      event.preventDefault();
      var added = addSection();
      changed();
      added.querySelector(".section-heading").focus();
    } else if (button.hasAttribute("data-remove") && item) {
      event.preventDefault();
      removeSection(item);
    } else if (button.hasAttribute("data-move") && item) {
      event.preventDefault();
      moveSection(item, button.getAttribute("data-move"));
    }
  });

  form.addEventListener("input", changed);

  // Enter in a heading moves on to its text instead of submitting the form.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.classList.contains("section-heading")) {
      event.preventDefault();
      event.target.closest("[data-section]").querySelector("textarea").focus();
    }
  });

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      if (autosaveOn) { stopped = false; autosave(); }
    }
  });

  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    storeLocal();
    if (inFlight) {
      // Let the background save finish first, so this post carries its version.
      event.preventDefault();
      var submitter = event.submitter;
      afterSave = function () { form.requestSubmit(submitter); };
    }
  });

  // Tab moves focus, as everywhere else (markdownx would type a tab character and keep the
  // focus in the box: a keyboard trap). Indenting is an explicit shortcut instead, said in the
  // hint above the sections: Ctrl+] indents the current or selected lines by four spaces (a
  // nested list in Markdown), Ctrl+[ takes that back. Stopping these events on their way down
  // keeps them from markdownx's own listener on the textarea; for Tab the browser still moves
  // the focus, since its default is not prevented.
  var INDENT = "    ";

  function reindent(textarea, outdent) {
    var value = textarea.value;
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var from = value.lastIndexOf("\n", start - 1) + 1;
    var last = end > start && value.charAt(end - 1) === "\n" ? end - 1 : end;
    var to = value.indexOf("\n", last);
    if (to === -1) { to = value.length; }
    var first = 0;
    var total = 0;
    var lines = value.slice(from, to).split("\n").map(function (line, index) {
      var delta = INDENT.length;
      if (outdent) {
        var lead = /^(?: {1,4}|\t)/.exec(line);
        delta = lead ? -lead[0].length : 0;
        line = line.slice(-delta);
      } else {
        line = INDENT + line;
      }
      if (index === 0) { first = delta; }
      total += delta;
      return line;
    });
    textarea.value = value.slice(0, from) + lines.join("\n") + value.slice(to);
    textarea.selectionStart = Math.max(from, start + first);
    textarea.selectionEnd = Math.max(from, end + total);
    textarea.dispatchEvent(new Event("input", { bubbles: true })); // preview and autosave
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target || target.tagName !== "TEXTAREA" || !form.contains(target)) { return; }
    if (event.key === "Tab" && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.stopPropagation();
      return;
    }
    var bracket = event.code === "BracketRight" || event.key === "]" ? "in"
      : event.code === "BracketLeft" || event.key === "[" ? "out" : "";
    if (bracket && (event.ctrlKey || event.metaKey) && !event.altKey) {
      event.preventDefault();
      event.stopPropagation();
      reindent(target, bracket === "out");
    }
  }, true);

  // markdownx pastes whatever the preview endpoint answered into the preview. Signed out,
  // that is a 401 with JSON (`code: "signed_out"`), or from an older server or a proxy the
  // sign-in page: either way say so instead, and keep the text where it is.
  function signedOutAnswer(answer) {
    if (typeof answer !== "string") { return false; }
    var head = answer.slice(0, 500).trim();
    if (/<html|<!doctype/i.test(head)) { return true; }
    if (head.charAt(0) !== "{") { return false; }
    try {
      var body = JSON.parse(answer);
      return Boolean(body) && (body.code === "signed_out" || body.code === "forbidden");
    } catch (error) {
      return false;
    }
  }

  document.addEventListener("markdownx.update", function (event) {
    var answer = event.detail && event.detail[0];
    if (!signedOutAnswer(answer)) { return; }
    var preview = event.target.querySelector(".markdownx-preview");
    if (!preview) { return; }
    preview.textContent = "";
    var note = document.createElement("p");
    note.className = "preview-note";
    note.setAttribute("role", "status");
    note.setAttribute("data-signed-out", "");
    note.textContent = text.previewSignedOut;
    preview.appendChild(note);
    storeLocal();
  }, true);

  // The time a copy was kept, in the member's own time zone (the server says which).
  function clockTime(milliseconds) {
    var when = new Date(milliseconds);
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        timeZone: text.timeZone || undefined,
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23"
      }).format(when);
    } catch (error) {
      return ("0" + when.getHours()).slice(-2) + ":" + ("0" + when.getMinutes()).slice(-2);
    }
  }

  // --- start --------------------------------------------------------------------------------

  renumber();
  var stored = readLocal();
  if (stored && normalized(stored.sections) !== normalized(snapshot())) {
    banner.querySelector("[data-restore-text]").textContent = format(text.restoreOffer, {
      time: clockTime(stored.at)
    });
    banner.hidden = false;
    banner.querySelector("[data-restore]").addEventListener("click", function () {
      applySnapshot(stored.sections);
      banner.hidden = true;
      setStatus(text.restored, "");
      changed();
    });
    banner.querySelector("[data-discard]").addEventListener("click", function () {
      clearLocal();
      banner.hidden = true;
    });
  } else if (stored) {
    clearLocal();
  }
})();
