// Vanco's few behaviours; no inline script anywhere (CSP).
(function () {
  "use strict";
  // Ask before deactivating: a plain form still works without JavaScript.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
