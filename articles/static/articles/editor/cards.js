// Cards between paragraphs: related reading ("Baca juga") and inline photos, one Tiptap node.
// A card only shows where an inline row stands; the admin turns its place into the row's
// after_paragraph on save (articles/admin/editor.py). The stored rows cannot say that a related
// link comes before a photo after one paragraph (the API shows photos first) nor that a card
// follows a heading (it shows cards right after their paragraph), so the editor arranges the
// cards that way as soon as they are put anywhere: what the writer sees is what readers get.
// Alt+ArrowUp / Alt+ArrowDown move the selected card one place.
import { Node, Plugin } from "django-prose-editor/editor"

const ATTRIBUTES = ["card", "kind", "title", "detail", "thumb"]

function renderCard(dom, node) {
  const { kind, title, detail, thumb } = node.attrs
  dom.replaceChildren()
  dom.dataset.kind = kind
  const label = document.createElement("strong")
  label.textContent = kind === "photo" ? "Foto / Photo: " : "Baca juga / Read also: "
  dom.append(label)
  if (thumb) {
    const image = document.createElement("img")
    image.src = thumb
    image.alt = ""
    dom.append(image)
  }
  const text = document.createElement("span")
  text.className = "article-card-title"
  text.textContent = title || "(choose it in the row below)"
  dom.append(text)
  if (detail) {
    const small = document.createElement("small")
    small.textContent = detail
    dom.append(" ", small)
  }
}

// The body's top-level blocks, each card with the paragraph it stands after (as the server
// counts: top-level paragraphs only) and its kind.
// A card after the last paragraph and a heading, list or quote that follows it stands at the
// very end (after = paragraphs + 1), as the server reads it.
function layout(doc) {
  const entries = []
  let paragraphs = 0
  let pastParagraph = false
  doc.forEach((node, offset, index) => {
    const card = node.type.name === "articleCard"
    if (node.type.name === "paragraph") {
      paragraphs += 1
      pastParagraph = false
    } else if (!card) {
      pastParagraph = true
    }
    entries.push({ node, offset, index, card, after: paragraphs, pastParagraph })
  })
  // Cards at the very end (after the last paragraph when nothing but cards follows it, or
  // after the heading, list or quote that follows it) keep any order.
  const trailing = entries.some((entry) => !entry.card && entry.after === paragraphs && entry.node.type.name !== "paragraph")
  for (const entry of entries) {
    if (entry.card && entry.after === paragraphs && (entry.pastParagraph || !trailing)) {
      entry.after = paragraphs + 1
    }
  }
  entries.trailing = trailing
  entries.paragraphs = paragraphs
  return entries
}

// The order the API shows: after paragraph N its photos, then its related links (each kind in
// the writer's order), before any heading, list or quote that follows the paragraph; at the
// very end, any order.
function canonical(entries) {
  const byParagraph = new Map()
  for (const entry of entries.filter((e) => e.card)) {
    if (!byParagraph.has(entry.after)) byParagraph.set(entry.after, [])
    byParagraph.get(entry.after).push(entry)
  }
  const placed = (after, anyOrder = false) => {
    const cards = byParagraph.get(after) || []
    if (anyOrder) return cards // at the very end the server keeps any order
    const photos = cards.filter((e) => e.node.attrs.kind === "photo")
    return [...photos, ...cards.filter((e) => e.node.attrs.kind !== "photo")]
  }
  const order = [...placed(0)]
  let paragraphs = 0
  for (const entry of entries) {
    if (entry.card) continue
    order.push(entry)
    if (entry.node.type.name === "paragraph") order.push(...placed(++paragraphs))
  }
  order.push(...placed(paragraphs + 1, true))
  return order.map((entry) => entry.node)
}

function positionOf(doc, index) {
  let position = 0
  for (let i = 0; i < index; i++) position += doc.child(i).nodeSize
  return position
}

// A card stands between top-level blocks only: one dropped or pasted into a list or a quote
// (both accept blocks) is moved out, right after that list or quote, where the server and the
// API will show it. Cards nested in one block keep their order.
function hoistNestedCards(tr) {
  const nested = []
  tr.doc.descendants((node, pos) => {
    if (node.type.name === "articleCard" && tr.doc.resolve(pos).depth > 0) nested.push({ node, pos })
  })
  for (const { node, pos } of nested.reverse()) {
    const after = tr.doc.resolve(pos).after(1)
    const steps = tr.steps.length
    tr.delete(pos, pos + node.nodeSize)
    tr.insert(tr.mapping.slice(steps).map(after), node)
  }
  return tr
}

// Moves cards (only cards: the text and its cursor stay put) until the body shows them as the
// API will. Null when they already stand so.
function arrangeCards(state) {
  let tr = hoistNestedCards(state.tr)
  const hoisted = tr.docChanged
  const wanted = canonical(layout(tr.doc))
  for (let i = 0; i < wanted.length; i++) {
    const doc = tr.doc
    if (doc.child(i) === wanted[i]) continue
    let from = -1
    for (let j = i + 1; j < doc.childCount; j++) if (doc.child(j) === wanted[i]) from = j
    if (from < 0) return hoisted ? hoistNestedCards(state.tr) : null // not a permutation: leave it
    const node = wanted[i]
    if (node.type.name === "articleCard") {
      const start = positionOf(doc, from)
      tr = tr.delete(start, start + node.nodeSize).insert(positionOf(tr.doc, i), node)
    } else {
      // A block the cards before it must follow: move those cards past it.
      const cards = []
      for (let j = i; j < from; j++) cards.push(doc.child(j))
      const start = positionOf(doc, i)
      const size = cards.reduce((sum, card) => sum + card.nodeSize, 0)
      tr = tr.delete(start, start + size)
      tr = tr.insert(start + node.nodeSize, cards)
    }
  }
  return tr.docChanged ? tr : null
}

// Alt+Up / Alt+Down: past the neighbouring card of the same kind after the same paragraph, or
// else to the paragraph before / after (last / first of its kind there).
function moveCard(editor, direction) {
  const { selection, doc } = editor.state
  const node = selection.node
  if (!node || node.type.name !== "articleCard") return false
  const entries = layout(doc)
  const self = entries.find((entry) => entry.node === node && entry.offset === selection.from)
  if (!self) return false
  const atEnd = self.after > entries.paragraphs
  const sameKind = (entry) => (entry.node.attrs.kind === "photo") === (node.attrs.kind === "photo")
  const siblings = entries.filter(
    (entry) => entry.card && entry.after === self.after && (atEnd || sameKind(entry)),
  )
  const neighbour = siblings[siblings.indexOf(self) + direction]
  let target
  if (neighbour) {
    target = direction < 0 ? neighbour.index : neighbour.index + 1
  } else {
    let after = self.after + direction
    // Without a heading, list or quote after the last paragraph, its cards are the end's.
    if (direction < 0 && atEnd && !entries.trailing) after = entries.paragraphs - 1
    const paragraphs = entries.filter((entry) => entry.node.type.name === "paragraph")
    if (after < 0 || after > paragraphs.length) return true
    if (direction > 0) {
      target = paragraphs[after - 1].index + 1 // right after the paragraph: first there
    } else {
      // after the cards following paragraph `after`: last there
      target = after === 0 ? 0 : paragraphs[after - 1].index + 1
      while (target < entries.length && entries[target].card && entries[target] !== self) target += 1
    }
  }
  let tr = editor.state.tr.delete(self.offset, self.offset + node.nodeSize)
  const insertAt = positionOf(tr.doc, target > self.index ? target - 1 : target)
  tr = tr.insert(insertAt, node)
  editor.view.dispatch(tr) // the plugin below arranges the cards in the same dispatch
  // Keep the moved card selected wherever it ended up.
  layout(editor.state.doc).forEach((entry) => {
    if (entry.node.attrs && entry.card && entry.node.attrs.card === node.attrs.card) {
      editor.commands.setNodeSelection(entry.offset)
    }
  })
  return true
}

export const ArticleCard = Node.create({
  name: "articleCard",
  group: "block",
  atom: true,
  selectable: true,
  draggable: true,

  addAttributes() {
    return Object.fromEntries(
      ATTRIBUTES.map((name) => [
        name,
        {
          default: "",
          parseHTML: (element) => element.getAttribute(`data-${name}`) || "",
          renderHTML: (attributes) => ({ [`data-${name}`]: attributes[name] || "" }),
        },
      ]),
    )
  },

  parseHTML() {
    return [{ tag: "div[data-card]" }]
  },

  renderHTML({ HTMLAttributes }) {
    return ["div", HTMLAttributes]
  },

  addNodeView() {
    return ({ node }) => {
      const dom = document.createElement("div")
      dom.className = "article-card"
      dom.contentEditable = "false"
      renderCard(dom, node)
      return {
        dom,
        update(updated) {
          if (updated.type.name !== "articleCard") return false
          renderCard(dom, updated)
          return true
        },
      }
    }
  },

  addProseMirrorPlugins() {
    return [
      new Plugin({
        appendTransaction(transactions, oldState, newState) {
          if (!transactions.some((tr) => tr.docChanged)) return null
          return arrangeCards(newState)
        },
      }),
    ]
  },

  addKeyboardShortcuts() {
    return {
      "Alt-ArrowUp": () => moveCard(this.editor, -1),
      "Alt-ArrowDown": () => moveCard(this.editor, 1),
    }
  },
})
