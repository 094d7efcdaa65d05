// The public forms' spam signals, which the page itself cannot carry because every reader gets
// the same page from the HTTP cache (see contacts/abuse.py, SpamTrapFormMixin):
// - form_token: a random value given when the page opens, so a double click stores one message;
// - elapsed: how long the form was open, in milliseconds, added to any time kept from an
//   earlier try (a form shown again with errors), written just before the form is sent.
// The message form on its own page also remembers which page of this site the patient came from.
// Without this script the forms work the same; the server counts the missing values as unknown.
(function () {
  "use strict";
  var opened = Date.now();

  function randomToken() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function referringPath() {
    try {
      var referrer = new URL(document.referrer);
      return referrer.origin === window.location.origin ? referrer.pathname : "";
    } catch (error) {
      return "";
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
    var token = form.querySelector('input[name="form_token"]');
    var elapsed = form.querySelector('input[name="elapsed"]');
    if (!token || !elapsed) {
      return;
    }
    if (!token.value) {
      token.value = randomToken();
    }
    var sentFrom = form.querySelector('input[name="sent_from"]');
    var cameFrom = referringPath();
    if (sentFrom && sentFrom.value === window.location.pathname && cameFrom && cameFrom !== window.location.pathname) {
      sentFrom.value = cameFrom;
    }
    form.addEventListener("submit", function () {
      var before = parseInt(elapsed.value, 10) || 0;
      elapsed.value = String(before + (Date.now() - opened));
    });
  });
})();
