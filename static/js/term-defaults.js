// The create-weeks form on the schedule board: choosing another term puts that term's
// defaults (time, place, online link, deadline rule) into the fields the organizer has not
// changed. The terms card carries each term's defaults as data-default-* attributes. Without
// this script an emptied field still takes the chosen term's default on the server.
(function () {
  "use strict";
  var FIELDS = {
    time: "defaultTime",
    place: "defaultPlace",
    online_url: "defaultOnlineUrl",
    deadline_days_before: "defaultDeadlineDaysBefore",
    deadline_time: "defaultDeadlineTime"
  };

  function defaultsOf(termId) {
    var row = document.querySelector("li[data-term='" + termId + "']");
    return row ? row.dataset : null;
  }

  function setup(form) {
    var select = form.querySelector("select[name=term]");
    if (!select) { return; }
    var previous = defaultsOf(select.value);
    select.addEventListener("change", function () {
      var next = defaultsOf(select.value);
      if (!next) { return; }
      Object.keys(FIELDS).forEach(function (name) {
        var input = form.querySelector("[name=" + name + "]");
        var key = FIELDS[name];
        if (!input) { return; }
        var untouched = input.value === "" || (previous && input.value === previous[key]);
        if (untouched) { input.value = next[key] || ""; }
      });
      previous = next;
    });
  }

  document.querySelectorAll("form[data-week-form]").forEach(setup);
})();
