// "Use my location" on the clinic search: fills latitude and longitude and searches.
// The form works without this script (district, or latitude and longitude typed by hand).
(function () {
  "use strict";
  var button = document.getElementById("use-location");
  var form = document.getElementById("clinic-search");
  if (!button || !form || !("geolocation" in navigator)) {
    return;
  }
  var status = document.getElementById("location-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    if (status) { status.textContent = button.getAttribute("data-wait") || "…"; }
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(5);
        form.elements.lon.value = position.coords.longitude.toFixed(5);
        form.submit();
      },
      function () {
        button.disabled = false;
        if (status) { status.textContent = button.getAttribute("data-denied") || ""; }
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 }
    );
  });
})();
