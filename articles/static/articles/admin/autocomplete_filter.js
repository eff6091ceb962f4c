"use strict";
// The article list's author and tag filters (articles/admin/changelist.py): picking a value
// in the autocomplete applies it at once; the form's button does the same without JavaScript.
window.addEventListener("load", function () {
  django.jQuery("select.autocomplete-filter-select").on("change", function () {
    this.form.submit();
  });
});
