// Vanco's few behaviours; no inline script anywhere (CSP).
(function () {
  "use strict";
  // Long choice lists (localities, departments, users) get a search box; a plain <select>
  // still works where JavaScript is off.
  function enhanceSelects(root) {
    if (typeof window.TomSelect === "undefined") {
      return;
    }
    root.querySelectorAll("select[data-search]:not(.tomselected)").forEach(function (select) {
      new window.TomSelect(select, {
        allowEmptyOption: true,
        maxOptions: 500,
        placeholder: select.getAttribute("data-placeholder") || "",
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    enhanceSelects(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    enhanceSelects(event.target);
  });

  // Ask before deactivating: a plain form still works without JavaScript.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
