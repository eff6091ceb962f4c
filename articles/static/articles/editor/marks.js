// <b> and <i> as bodies written before the editor (or through the API) hold them: the
// sanitiser allows them (articles/html.py), and Tiptap's Bold and Italic would turn them into
// <strong> and <em>. These marks read them first and write them back unchanged, so a re-save
// changes none of the API's blocks (articles/admin/editor.py). New text gets <strong>/<em>.
import { Mark } from "django-prose-editor/editor"

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
