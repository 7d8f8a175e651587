// Progressive enhancement of the report form: submit without a page reload,
// and offer the chosen country's states. Without JavaScript the same form
// works as a plain POST followed by a redirect.
(function () {
  "use strict";
  const form = document.getElementById("report-form");
  if (!form) return;
  const country = form.querySelector("[name=country]");
  const subdivision = form.querySelector("[name=subdivision]");

  country.addEventListener("change", async function () {
    subdivision.replaceChildren(new Option("Anywhere", ""));
    if (!country.value) return;
    const response = await fetch(`/regions/${encodeURIComponent(country.value)}/subdivisions.json`);
    if (!response.ok) return;
    const body = await response.json();
    for (const item of body.subdivisions) subdivision.add(new Option(item.name, item.code));
  });

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const data = new FormData(form);
    if (event.submitter && event.submitter.name) data.set(event.submitter.name, event.submitter.value);
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => (b.disabled = true));
    try {
      const response = await fetch(form.action, { method: "POST", body: data, credentials: "same-origin" });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const id of ["result", "report-form"]) {
        const fresh = page.getElementById(id);
        if (fresh) document.getElementById(id).replaceChildren(...fresh.childNodes);
      }
      if (response.ok) history.replaceState(null, "", response.url);
      document.getElementById("result").scrollIntoView({ behavior: "smooth" });
    } catch (error) {
      // form.submit() sends no submitter, so the pressed button's symptom
      // would be lost: carry it in a hidden field instead.
      if (event.submitter && event.submitter.name) {
        const chosen = document.createElement("input");
        chosen.type = "hidden";
        chosen.name = event.submitter.name;
        chosen.value = event.submitter.value;
        form.append(chosen);
      }
      form.submit();
    } finally {
      form.querySelectorAll("button").forEach((b) => (b.disabled = false));
    }
  });
})();
