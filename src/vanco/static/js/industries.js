// Prospect pages: the convert and decline steps load into a Bootstrap modal through htmx;
// without JavaScript the buttons open the same form as a page.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "prospect-dialog-body" && window.bootstrap) {
      window.bootstrap.Modal.getOrCreateInstance(document.getElementById("prospect-dialog")).show();
    }
  });
})();
