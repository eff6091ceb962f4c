/* One-click suggestions on a change form: a button with data-prefix (an inline formset's
   prefix), data-field, data-id and data-label puts that choice into the first empty row of
   the inline, adding a row when none is empty. Autocomplete selects get the option added
   first, as select2 only shows options the <select> has. Nothing is saved until the form is. */
"use strict";
(function () {
  function emptySelect(prefix, field) {
    const selects = document.querySelectorAll(
      "#" + prefix + "-group select[name^='" + prefix + "-'][name$='-" + field + "']"
    );
    for (const select of selects) {
      if (!select.name.includes("__prefix__") && !select.value) {
        return select;
      }
    }
    return null;
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest(".inline-suggestion");
    if (!button) {
      return;
    }
    event.preventDefault();
    const {prefix, field, id, label} = button.dataset;
    let select = emptySelect(prefix, field);
    if (!select) {
      const add = document.querySelector("#" + prefix + "-group .add-row a");
      if (add) {
        add.click();
      }
      select = emptySelect(prefix, field);
    }
    if (!select) {
      return;
    }
    if (!select.querySelector("option[value='" + CSS.escape(id) + "']")) {
      select.add(new Option(label, id, true, true));
    }
    select.value = id;
    select.dispatchEvent(new Event("change", {bubbles: true}));
    if (window.django && window.django.jQuery) {
      window.django.jQuery(select).trigger("change");
    }
    button.disabled = true;
  });
})();
