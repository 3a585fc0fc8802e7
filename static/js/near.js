/* Step 3 of a new referral: "use my location" fills `near` and reloads the clinic list, nearest
   first in every district (the list lands on its results). Without JavaScript (or without
   permission) the district filter, which starts at her own district, does the same job. */
(function () {
  var button = document.getElementById("use-location");
  var form = document.getElementById("where-filter");
  if (!button || !form || !navigator.geolocation) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.near.value = pos.coords.latitude.toFixed(4) + "," + pos.coords.longitude.toFixed(4);
      if (form.elements.district) { form.elements.district.value = ""; }  /* nearest anywhere */
      form.submit();
    }, function () { button.disabled = false; }, { timeout: 15000, maximumAge: 600000 });
  });
})();
