// One action, one effect (core/once.py). Pages are never cached, so the back button fetches a
// form again with a fresh one-time token, and sending it again would act twice. On a page
// reached by back or forward, each form gets back the token it was last sent with, so the
// server recognises the second submission and answers "This was already saved.".
(function () {
  "use strict";
  var entries = window.performance && performance.getEntriesByType
    ? performance.getEntriesByType("navigation") : [];
  var back = entries.length ? entries[0].type === "back_forward"
    : !!(window.performance && performance.navigation && performance.navigation.type === 2);
  var forms = document.querySelectorAll("form");
  Array.prototype.forEach.call(forms, function (form, index) {
    var input = form.querySelector('input[name="_once"]');
    if (!input) { return; }
    var key = "once:" + location.pathname + location.search + "|" +
      (form.getAttribute("action") || "") + "|" + index;
    try {
      var sent = window.sessionStorage.getItem(key);
      if (back && sent) { input.value = sent; }
      form.addEventListener("submit", function () {
        window.sessionStorage.setItem(key, input.value);
      });
    } catch (e) {
      // Storage refused (private mode): the fresh token stands.
    }
  });
}());
