// The comment queue's keyboard, as in WordPress: j/k move between rows, a/s/t/u approve, mark as
// spam, trash or unapprove the row in focus by pressing that row's own one-click button (so the
// server, its permission check and the crisis confirmation decide, as for a click). Without this
// script the buttons work the same; keys typed in a field are left alone.
(function () {
  "use strict";

  var ACTIONS = { a: "approve", s: "spam", t: "trash", u: "unapprove" };

  function typing(target) {
    var field = target.closest("input, textarea, select, [contenteditable]");
    return field !== null && !/^(checkbox|radio|submit|button)$/.test(field.type || "");
  }

  function start() {
    var table = document.getElementById("result_list");
    if (!table || !table.querySelector("[data-moderate]")) {
      return;
    }
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    var current = -1;

    var hint = document.createElement("p");
    hint.className = "moderation-keys";
    hint.id = "moderation-keys";
    hint.innerHTML =
      "Keys: <kbd>j</kbd> next, <kbd>k</kbd> previous, <kbd>a</kbd> approve, <kbd>s</kbd> spam, " +
      "<kbd>t</kbd> trash, <kbd>u</kbd> unapprove the highlighted comment.";
    table.parentNode.insertBefore(hint, table);

    function highlight(index) {
      if (current >= 0) {
        rows[current].classList.remove("moderation-focus");
      }
      current = index;
      rows[current].classList.add("moderation-focus");
    }

    function focusRow(index) {
      if (index < 0 || index >= rows.length) {
        return;
      }
      highlight(index);
      var row = rows[current];
      row.tabIndex = -1;
      row.focus();
      row.scrollIntoView({ block: "nearest" });
    }

    // Tabbing or clicking into a row makes it the one the keys act on.
    rows.forEach(function (row, index) {
      row.addEventListener("focusin", function () {
        highlight(index);
      });
    });

    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || typing(event.target)) {
        return;
      }
      var key = event.key;
      if (key === "j") {
        focusRow(current + 1);
      } else if (key === "k") {
        focusRow(current < 0 ? 0 : current - 1);
      } else if (ACTIONS[key] && current >= 0) {
        var button = rows[current].querySelector('[data-moderate="' + ACTIONS[key] + '"]');
        if (!button) {
          return;
        }
        button.click();
      } else {
        return;
      }
      event.preventDefault();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
