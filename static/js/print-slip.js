/* The slip's Print button: shown only where a script can open the print dialog (without
   JavaScript the browser's own Print menu prints the same page). */
(function () {
  var button = document.getElementById("print-slip");
  if (!button || typeof window.print !== "function") { return; }
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
