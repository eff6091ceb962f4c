// The article change form's aids around the body editor (articles/admin/editor.py):
// buttons that put a "Baca juga" or an inline-photo card at the cursor, the cards' titles
// kept in step with their inline rows, and the writing aids (words, reading time,
// headline and dek lengths against search-result limits, the slug preview), and the draft
// kept in this browser's storage every few seconds, offered back after a crashed tab.
"use strict";
(function () {
  const aids = () => document.getElementById("writing-aids");
  let editor = null;

  function cardId(fieldId) {
    // id_related_links-3-target_article -> related_links-3
    const match = /^id_(related_links|article_photos)-(\d+)-/.exec(fieldId);
    return match ? `${match[1]}-${match[2]}` : null;
  }

  function updateCard(card, attrs) {
    if (!editor) return;
    const { state } = editor;
    let tr = state.tr;
    state.doc.descendants((node, pos) => {
      if (node.type.name === "articleCard" && node.attrs.card === card) {
        tr = tr.setNodeMarkup(pos, undefined, { ...node.attrs, ...attrs });
      }
    });
    if (tr.docChanged) editor.view.dispatch(tr);
  }

  function relatedTitle(prefix) {
    const select = document.getElementById(`id_${prefix}-target_article`);
    const chosen = select && select.selectedOptions[0];
    if (chosen && chosen.value) return chosen.textContent;
    const title = document.getElementById(`id_${prefix}-title`);
    const url = document.getElementById(`id_${prefix}-url`);
    return (title && title.value) || (url && url.value) || "";
  }

  function refreshCardFrom(field) {
    const card = cardId(field.id);
    if (!card) return;
    if (card.startsWith("related_links")) {
      const url = document.getElementById(`id_${card}-url`);
      updateCard(card, { title: relatedTitle(card), detail: url ? url.value : "" });
    } else if (field.id.endsWith("-photo")) {
      const chosen = field.selectedOptions[0];
      updateCard(card, { title: chosen ? chosen.textContent : "", thumb: "", detail: "" });
    }
  }

  function addCard(prefix, kind) {
    const group = document.getElementById(`${prefix}-group`);
    const addLink = group && group.querySelector(".add-row a");
    if (!editor || !addLink) return;
    addLink.click();
    const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    const index = Number(total.value) - 1;
    const content = {
      type: "articleCard",
      attrs: { card: `${prefix}-${index}`, kind: kind, title: "", detail: "", thumb: "" },
    };
    // At the cursor; selected text or a selected card stays, the new card goes after it.
    editor.chain().focus().insertContentAt(editor.state.selection.to, content).run();
    // Choose what the card shows in its row: the autocomplete opens at once.
    const field = kind === "photo" ? "photo" : "target_article";
    const select = document.getElementById(`id_${prefix}-${index}-${field}`);
    if (select && window.django && django.jQuery && django.jQuery(select).data("select2")) {
      select.scrollIntoView({ block: "center" });
      django.jQuery(select).select2("open");
    } else if (select) {
      select.focus();
    }
  }

  // --- Cards and their rows stay one: deleting either deletes the other --------------------
  // The cards the editor showed at the last update, by name, with their nodes.
  let knownCards = new Map();

  function rememberCards() {
    knownCards = new Map([...cardsInEditor()].map(([card, { node }]) => [card, node]));
  }

  function cardsInEditor() {
    const cards = new Map();
    if (!editor) return cards;
    editor.state.doc.descendants((node, pos) => {
      if (node.type.name === "articleCard") cards.set(node.attrs.card, { node, pos });
    });
    return cards;
  }

  function rowOf(card) {
    return document.getElementById(card); // Django's inline rows: id="related_links-3"
  }

  function deleteBox(card) {
    return document.getElementById(`id_${card}-DELETE`);
  }

  function removeCards(match, { history = true } = {}) {
    if (!editor) return [];
    const removed = [];
    let tr = editor.state.tr;
    editor.state.doc.descendants((node, pos) => {
      if (node.type.name === "articleCard" && match(node.attrs.card)) removed.push({ node, pos });
    });
    for (const { node, pos } of removed.reverse()) tr = tr.delete(pos, pos + node.nodeSize);
    if (!history) tr = tr.setMeta("addToHistory", false);
    if (tr.docChanged) editor.view.dispatch(tr);
    return removed.map(({ node }) => node);
  }

  // A card whose row is marked for deletion comes back, where its row's number says, when
  // the mark is taken off.
  const parkedCards = new Map();

  function putCardBack(card) {
    const node = parkedCards.get(card);
    const field = document.getElementById(`id_${card}-after_paragraph`);
    if (!editor || !node || cardsInEditor().has(card)) return;
    let after = Number(field ? field.value : 0) || 0;
    let position = 0;
    editor.state.doc.forEach((child, offset) => {
      if (after > 0 && child.type.name === "paragraph") {
        after -= 1;
        position = offset + child.nodeSize;
      }
    });
    editor.view.dispatch(editor.state.tr.insert(position, node));
  }

  // The fields of unsaved rows removed with their card, by the card's node: Ctrl+Z brings the
  // same node back, and its row with it (restoreRow).
  const removedRows = new WeakMap();

  function rowValues(card) {
    const values = {};
    for (const field of rowOf(card).querySelectorAll("input, select, textarea")) {
      const name = field.name.slice(card.length + 1); // "related_links-3-url" -> "url"
      if (!name || field.type === "hidden") continue;
      if (field.type === "checkbox") values[name] = { checked: field.checked };
      else if (field.tagName === "SELECT") {
        const chosen = field.selectedOptions[0];
        values[name] = { value: field.value, text: chosen ? chosen.textContent : "" };
      } else values[name] = { value: field.value };
    }
    return values;
  }

  // A new row for `node` with the fields it had; the card is renamed after the new row.
  function restoreRow(node, values) {
    const [prefix] = node.attrs.card.split(/-(?=\d+$)/);
    const group = document.getElementById(`${prefix}-group`);
    const addLink = group && group.querySelector(".add-row a");
    if (!addLink) return false;
    addLink.click();
    const index = Number(document.getElementById(`id_${prefix}-TOTAL_FORMS`).value) - 1;
    const card = `${prefix}-${index}`;
    for (const [name, saved] of Object.entries(values)) {
      const field = document.getElementById(`id_${card}-${name}`);
      if (!field) continue;
      if ("checked" in saved) field.checked = saved.checked;
      else if (field.tagName === "SELECT" && saved.value) {
        if (![...field.options].some((option) => option.value === saved.value)) {
          field.append(new Option(saved.text, saved.value));
        }
        field.value = saved.value;
        if (window.django && django.jQuery) django.jQuery(field).trigger("change");
      } else field.value = saved.value;
    }
    let tr = editor.state.tr;
    editor.state.doc.descendants((child, pos) => {
      if (child === node) tr = tr.setNodeMarkup(pos, undefined, { ...node.attrs, card });
    });
    editor.view.dispatch(tr.setMeta("addToHistory", false));
    return true;
  }

  function syncRowsWithCards() {
    const now = cardsInEditor();
    for (const [card, node] of knownCards) {
      if (now.has(card)) continue;
      const box = deleteBox(card);
      if (box) {
        box.checked = true; // a saved row: marked for deletion (Ctrl+Z takes the mark off)
      } else if (rowOf(card)) {
        // A row not saved yet: removed, as its own "X" does (the cards after it renumbered);
        // its fields are kept for Ctrl+Z.
        removedRows.set(node, rowValues(card));
        const remove = rowOf(card).querySelector("a.inline-deletelink");
        if (remove) setTimeout(() => remove.click(), 0);
      }
    }
    // Ctrl+Z after an unsaved row was removed with its card: the card's node is back, under a
    // name that is gone or now another row's. It gets a new row with the fields it had.
    const restored = [];
    editor.state.doc.descendants((node) => {
      if (node.type.name === "articleCard" && removedRows.has(node)) restored.push(node);
    });
    for (const node of restored) {
      const values = removedRows.get(node);
      removedRows.delete(node);
      setTimeout(() => restoreRow(node, values) && rememberCards(), 0);
    }
    for (const card of now.keys()) {
      if (knownCards.has(card)) continue;
      const box = deleteBox(card);
      if (box) box.checked = false;
      // A card whose row is gone and cannot come back shows nothing.
      const node = now.get(card).node;
      if (!rowOf(card) && !restored.includes(node)) {
        setTimeout(() => removeCards((name) => name === card, { history: false }), 0);
      }
    }
    rememberCards();
  }

  function renumberCardsAfter(prefix, index) {
    // Django renumbers the rows after a removed unsaved row: their cards follow.
    if (!editor) return;
    let tr = editor.state.tr;
    editor.state.doc.descendants((node, pos) => {
      if (node.type.name !== "articleCard") return;
      const [cardPrefix, cardIndex] = node.attrs.card.split(/-(?=\d+$)/);
      if (cardPrefix === prefix && Number(cardIndex) > index) {
        tr = tr.setNodeMarkup(pos, undefined, { ...node.attrs, card: `${prefix}-${Number(cardIndex) - 1}` });
      }
    });
    tr = tr.setMeta("addToHistory", false);
    if (tr.docChanged) editor.view.dispatch(tr);
    rememberCards();
  }

  function watchRows() {
    // Capture phase: runs before Django's handler removes the row and renumbers the rest.
    document.addEventListener("click", (event) => {
      const link = event.target.closest && event.target.closest("a.inline-deletelink");
      const row = link && link.closest(".dynamic-related_links, .dynamic-article_photos");
      const match = row && /^(related_links|article_photos)-(\d+)$/.exec(row.id);
      if (!match) return;
      const [card, prefix, index] = match;
      knownCards.delete(card);
      removeCards((name) => name === card, { history: false });
      setTimeout(() => renumberCardsAfter(prefix, Number(index)), 0);
    }, true);
    document.addEventListener("change", (event) => {
      const match = /^id_((?:related_links|article_photos)-\d+)-DELETE$/.exec(event.target.id || "");
      if (!match) return;
      const card = match[1];
      if (event.target.checked) {
        const [node] = removeCards((name) => name === card);
        if (node) parkedCards.set(card, node);
      } else {
        putCardBack(card);
      }
      rememberCards();
    });
  }

  function toolbar() {
    const bar = document.createElement("div");
    bar.className = "editor-cards-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Cards in the text");
    const buttons = [
      ["related_links", "related", "+ Baca juga / Read also", "add-related-card"],
      ["article_photos", "photo", "+ Inline photo", "add-photo-card"],
    ];
    for (const [prefix, kind, label, id] of buttons) {
      if (!document.getElementById(`${prefix}-group`)) continue;
      const button = document.createElement("button");
      button.type = "button";
      button.id = id;
      button.className = "button";
      button.textContent = label;
      button.addEventListener("click", () => addCard(prefix, kind));
      bar.append(button);
    }
    const hint = document.createElement("small");
    hint.textContent = "Puts a card at the cursor. Select a card and press Alt+↑ / Alt+↓ to move it, or drag it.";
    bar.append(hint);
    return bar;
  }

  function countWords(text) {
    const words = text.trim().split(/\s+/).filter(Boolean);
    return words.length;
  }

  function setAid(name, text, over) {
    const item = aids() && aids().querySelector(`[data-aid=${name}]`);
    if (!item) return;
    item.textContent = text;
    item.classList.toggle("over", Boolean(over));
  }

  function refreshAids() {
    const panel = aids();
    if (!panel) return;
    const body = document.getElementById("id_body");
    const text = editor ? editor.getText() : (body ? body.value.replace(/<[^>]*>/g, " ") : "");
    const words = countWords(text);
    const perMinute = Number(panel.dataset.wordsPerMinute);
    const minutes = words ? Math.max(1, Math.round(words / perMinute)) : 0;
    setAid("words", `${words} words · ${minutes} min read`);
    const headlineLimit = Number(panel.dataset.headlineLimit);
    const dekLimit = Number(panel.dataset.dekLimit);
    const headline = document.getElementById("id_headline");
    const dek = document.getElementById("id_dek");
    if (headline) {
      const length = headline.value.length;
      setAid("headline", `Headline: ${length} / ${headlineLimit} characters shown in search results`, length > headlineLimit);
    }
    if (dek) {
      const length = dek.value.length;
      setAid("dek", `Dek: ${length} / ${dekLimit} characters shown in search results`, length > dekLimit);
    }
    const slugField = document.getElementById("id_slug");
    let slug = slugField ? slugField.value : "";
    if (!slug && headline && window.URLify) slug = window.URLify(headline.value, 200);
    const url = panel.dataset.urlTemplate.replace("{slug}", slug || "…");
    setAid("slug", `Address: ${url}`);
  }

  // --- The draft in local storage -------------------------------------------------------
  const AUTOSAVE_DELAY_MS = 2000;
  let autosaveTimer = null;

  function draftKey() {
    const panel = aids();
    return panel ? panel.dataset.draftKey : null;
  }

  function fieldValue(id) {
    const field = document.getElementById(id);
    return field ? field.value : "";
  }

  function draftNow() {
    return {
      body: fieldValue("id_body"),
      headline: fieldValue("id_headline"),
      dek: fieldValue("id_dek"),
      version: fieldValue("id_loaded_version"),
      savedAt: Date.now(),
    };
  }

  function autosaveSoon() {
    const key = draftKey();
    if (!key) return;
    clearTimeout(autosaveTimer);
    autosaveTimer = setTimeout(() => {
      try { localStorage.setItem(key, JSON.stringify(draftNow())); } catch (error) { /* full or off */ }
    }, AUTOSAVE_DELAY_MS);
  }

  function storedDraft() {
    const key = draftKey();
    try { return key ? JSON.parse(localStorage.getItem(key) || "null") : null; } catch (error) { return null; }
  }

  function forgetDraft() {
    clearTimeout(autosaveTimer);
    const key = draftKey();
    if (key) localStorage.removeItem(key);
  }

  function offerDraft() {
    const draft = storedDraft();
    const notice = document.getElementById("autosave-notice");
    if (!draft || !notice) return;
    const current = draftNow();
    if (draft.body === current.body && draft.headline === current.headline && draft.dek === current.dek) {
      forgetDraft();
      return;
    }
    const when = new Date(draft.savedAt).toLocaleString();
    notice.querySelector("[data-autosave=when]").textContent = when;
    const sameVersion = draft.version === current.version;
    // Restoring puts the text in the form only: the save still names the version loaded
    // with this page, so the no-lost-edits check holds.
    notice.querySelector("[data-autosave=restore]").hidden = !sameVersion;
    notice.querySelector("[data-autosave=older]").hidden = sameVersion;
    notice.querySelector("[data-autosave=text]").value = draft.body;
    notice.hidden = false;
    notice.querySelector("[data-autosave=restore]").addEventListener("click", () => {
      editor.commands.setContent(draft.body, { emitUpdate: true, parseOptions: editor.options.parseOptions });
      for (const [id, value] of [["id_headline", draft.headline], ["id_dek", draft.dek]]) {
        const field = document.getElementById(id);
        if (field) field.value = value;
      }
      notice.hidden = true;
      refreshAids();
    });
    notice.querySelector("[data-autosave=discard]").addEventListener("click", () => {
      forgetDraft();
      notice.hidden = true;
    });
  }

  document.addEventListener("prose-editor:ready", (event) => {
    if (event.detail.textarea.id !== "id_body") return;
    editor = event.detail.editor;
    // Reachable from the page (tests/browser/test_editor_round_trip.py, the browser console).
    event.detail.textarea.bodyEditor = editor;
    const container = event.detail.textarea.closest(".prose-editor") || event.detail.textarea.parentElement;
    const bar = toolbar();
    container.after(bar);
    const panel = aids();
    if (panel) {
      bar.after(panel);
      panel.hidden = false;
    }
    rememberCards();
    editor.on("update", syncRowsWithCards);
    watchRows();
    editor.on("update", refreshAids);
    editor.on("update", autosaveSoon);
    refreshAids();
    offerDraft();
    const form = event.detail.textarea.form;
    if (form) form.addEventListener("submit", forgetDraft);
  });

  document.addEventListener("DOMContentLoaded", () => {
    for (const id of ["id_headline", "id_dek", "id_slug"]) {
      const field = document.getElementById(id);
      if (field) field.addEventListener("input", refreshAids);
      if (field && id !== "id_slug") field.addEventListener("input", autosaveSoon);
    }
    document.addEventListener("input", (event) => {
      if (cardId(event.target.id || "")) refreshCardFrom(event.target);
    });
    if (window.django && django.jQuery) {
      // select2 reports a choice through jQuery's change event only.
      django.jQuery(document).on("change", "select", (event) => {
        if (cardId(event.target.id || "")) refreshCardFrom(event.target);
      });
    }
    refreshAids();
  });
})();
