/* One-click suggestions on a change form: a button with data-prefix (an inline formset's
   prefix), data-field, data-id and data-label puts that choice into the first empty row of
   the inline, adding a row when none is empty. Autocomplete selects get the option added
   first, as select2 only shows options the <select> has. Nothing is saved until the form is.

   The buttons are read after the page has loaded: each placeholder with
   data-suggestions-url and data-suggestions="<part>" shows the part of that URL's JSON
   answer ({"<part>": {"prefix", "field", "choices": [{"id", "label"}], "note"}}), one
   request per URL. */
"use strict";
(function () {
  function suggestionButton(prefix, field, choice) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button inline-suggestion";
    button.dataset.prefix = prefix;
    button.dataset.field = field;
    button.dataset.id = String(choice.id);
    button.dataset.label = choice.label;
    button.textContent = "+ " + choice.label;
    return button;
  }

  function show(box, part) {
    box.replaceChildren();
    if (!part || !part.choices.length) {
      box.textContent = part ? part.note : box.dataset.failed;
      return;
    }
    part.choices.forEach(function (choice, index) {
      if (index) {
        box.append(" ");
      }
      box.append(suggestionButton(part.prefix, part.field, choice));
    });
  }

  function loadSuggestions() {
    const answers = new Map();
    for (const box of document.querySelectorAll("[data-suggestions-url]")) {
      const url = box.dataset.suggestionsUrl;
      if (!answers.has(url)) {
        answers.set(
          url,
          fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}}).then(
            function (response) {
              if (!response.ok) {
                throw new Error("suggestions: HTTP " + response.status);
              }
              return response.json();
            }
          )
        );
      }
      answers
        .get(url)
        .then(function (answer) {
          show(box, answer[box.dataset.suggestions]);
        })
        .catch(function () {
          box.textContent = box.dataset.failed;
        });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", loadSuggestions);
  } else {
    loadSuggestions();
  }

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
