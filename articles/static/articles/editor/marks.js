// <b> and <i> as bodies written before the editor (or through the API) hold them: the
// sanitiser allows them (articles/html.py), and Tiptap's Bold and Italic would turn them into
// <strong> and <em>. These marks read them first and write them back unchanged, so a re-save
// changes none of the API's blocks (articles/admin/editor.py). New text gets <strong>/<em>.
import { Extension, Mark } from "django-prose-editor/editor"

function plainMark(name, tag, style) {
  return Mark.create({
    name,
    parseHTML() {
      // Google Docs wraps a whole paste in <b style="font-weight:normal">: not bold.
      return [{ tag, priority: 60, getAttrs: (node) => node.style[style] !== "normal" && null }]
    },
    renderHTML() {
      return [tag, 0]
    },
  })
}

export const PlainBold = plainMark("plainBold", "b", "fontWeight")
export const PlainItalic = plainMark("plainItalic", "i", "fontStyle")

// A list item or quote written without a paragraph inside (<li>text</li>) becomes one in the
// editor (<li><p>text</p></li>); it is marked data-plain, and the server takes the paragraph
// off again on save (articles/admin/editor.py), so the API's blocks stay as they were.
export const PlainBlocks = Extension.create({
  name: "plainBlocks",
  addGlobalAttributes() {
    return [
      {
        types: ["listItem", "blockquote"],
        attributes: {
          plain: {
            default: false,
            parseHTML: (element) => {
              const first = [...element.childNodes].find(
                (child) => child.nodeType !== Node.TEXT_NODE || child.textContent.trim(),
              )
              return !first || first.nodeName !== "P"
            },
            renderHTML: (attributes) => (attributes.plain ? { "data-plain": "true" } : {}),
          },
        },
      },
    ]
  },
})

// Spaces as stored (after a line break, two in a row) are kept when a body is read, so a
// re-save changes no byte of the text; newlines become spaces, as a browser shows them.
export const StoredWhitespace = Extension.create({
  name: "storedWhitespace",
  onBeforeCreate() {
    this.editor.options.parseOptions = { ...this.editor.options.parseOptions, preserveWhitespace: true }
  },
})
