// Cards between paragraphs: related reading ("Baca juga") and inline photos, one Tiptap node.
// A card only shows where an inline row stands; the admin turns its place into the row's
// after_paragraph on save (articles/admin/editor.py). Alt+ArrowUp / Alt+ArrowDown move the
// selected card past the block above or below.
import { Node } from "django-prose-editor/editor"

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

function moveCard(editor, direction) {
  const { selection, doc } = editor.state
  const node = selection.node
  if (!node || node.type.name !== "articleCard") return false
  const from = selection.from
  const $from = doc.resolve(from)
  const index = $from.index()
  const parent = $from.parent
  const neighbourIndex = index + direction
  if (neighbourIndex < 0 || neighbourIndex >= parent.childCount) return true
  const neighbour = parent.child(neighbourIndex)
  const target = direction < 0 ? from - neighbour.nodeSize : from + neighbour.nodeSize
  const tr = editor.state.tr.delete(from, from + node.nodeSize).insert(target, node)
  editor.view.dispatch(tr)
  editor.commands.setNodeSelection(target)
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

  addKeyboardShortcuts() {
    return {
      "Alt-ArrowUp": () => moveCard(this.editor, -1),
      "Alt-ArrowDown": () => moveCard(this.editor, 1),
    }
  },
})
