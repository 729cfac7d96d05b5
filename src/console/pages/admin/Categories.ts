/** The catalog's categories: list (GET /categories), add, rename and remove (POST/PATCH/DELETE /admin/categories). */
import { html } from "htm/preact"
import { useState } from "preact/hooks"
import { del, get, patch, post } from "../../api.ts"
import { formatDate, Show, useLoad } from "../../ui.ts"
import { inputValue, Outcome, useAction } from "./forms.ts"

interface Category {
  readonly slug: string
  readonly name: string
  readonly createdAt: number
  readonly updatedAt: number
}

/** "Science & Tech" → "science-tech" (the slug the server accepts: lower-case words joined by dashes). */
export const slugOf = (name: string) =>
  name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 50)

const AddForm = ({ onAdded }: { onAdded: () => void }) => {
  const [name, setName] = useState("")
  const [slug, setSlug] = useState("")
  const [slugEdited, setSlugEdited] = useState(false)
  const action = useAction()
  const submit = (e: Event) => {
    e.preventDefault()
    void action.run(async () => {
      const s = slugEdited ? slug.trim() : slugOf(name)
      await post(`/admin/categories`, { slug: s, name: name.trim() })
      onAdded()
      setName("")
      setSlug("")
      setSlugEdited(false)
      return `Added the category ${name.trim()} (${s}).`
    })
  }
  return html`
    <form onSubmit=${submit} aria-labelledby="add-category-title" class="subcard">
      <h3 id="add-category-title">Add a category</h3>
      <div class="row">
        <div class="grow">
          <label for="category-name">Name</label>
          <input id="category-name" required maxlength="50" value=${name} onInput=${(e: Event) => setName(inputValue(e))} />
        </div>
        <div class="grow">
          <label for="category-slug">Slug</label>
          <input id="category-slug" maxlength="50" value=${slugEdited ? slug : slugOf(name)} aria-describedby="category-slug-help"
            onInput=${(e: Event) => (setSlug(inputValue(e)), setSlugEdited(true))} />
        </div>
      </div>
      <p id="category-slug-help" class="hint">Lower-case words joined by dashes; it cannot change later (the name can).</p>
      <button type="submit" disabled=${action.busy}>${action.busy ? "Adding…" : "Add category"}</button>
      <${Outcome} action=${action} />
    </form>
  `
}

const CategoryRow = ({ category, onChanged }: { category: Category; onChanged: () => void }) => {
  const [mode, setMode] = useState<"view" | "rename" | "remove">("view")
  const [name, setName] = useState(category.name)
  const action = useAction()
  const path = `/admin/categories/${encodeURIComponent(category.slug)}`
  const rename = (e: Event) => {
    e.preventDefault()
    void action.run(async () => {
      await patch(path, { name: name.trim() })
      setMode("view")
      onChanged()
      return `Renamed to ${name.trim()}.`
    })
  }
  const remove = () =>
    action.run(async () => {
      await del(path)
      onChanged()
      return undefined
    })
  return html`
    <tr>
      <td data-label="Slug"><code>${category.slug}</code></td>
      <td data-label="Name">
        ${mode === "rename"
          ? html`
            <form class="row" onSubmit=${rename}>
              <label class="visually-hidden" for=${`rename-${category.slug}`}>New name of ${category.name}</label>
              <input id=${`rename-${category.slug}`} class="grow" required maxlength="50" value=${name} onInput=${(e: Event) => setName(inputValue(e))} />
              <button type="submit" disabled=${action.busy}>Save</button>
              <button type="button" class="secondary" onClick=${() => (setMode("view"), setName(category.name), action.reset())}>Cancel</button>
            </form>`
          : category.name}
        <${Outcome} action=${action} />
      </td>
      <td data-label="Changed">${formatDate(category.updatedAt)}</td>
      <td>
        ${mode === "remove"
          ? html`
            <div role="group" aria-label=${`Confirm removing ${category.name}`} class="confirm">
              <p>Remove ${category.name}? Its videos are left without a category.</p>
              <div class="row">
                <button type="button" class="danger" disabled=${action.busy} onClick=${remove}>Yes, remove ${category.name}</button>
                <button type="button" class="secondary" onClick=${() => setMode("view")}>Keep it</button>
              </div>
            </div>`
          : mode === "view"
          ? html`
            <div class="row">
              <button type="button" class="secondary" aria-label=${`Rename ${category.name}`} onClick=${() => setMode("rename")}>Rename</button>
              <button type="button" class="secondary" aria-label=${`Remove ${category.name}`} onClick=${() => setMode("remove")}>Remove</button>
            </div>`
          : null}
      </td>
    </tr>
  `
}

export const CategorySection = () => {
  const { loaded, reload } = useLoad((signal) => get<{ items: ReadonlyArray<Category> }>("/categories", { signal }), [])
  return html`
    <${Show} loaded=${loaded}>
      ${({ items }: { items: ReadonlyArray<Category> }) => html`
        <div class="table-wrap">
          <table class="stack">
            <caption class="visually-hidden">Categories, oldest first</caption>
            <thead><tr><th scope="col">Slug</th><th scope="col">Name</th><th scope="col">Changed</th><th scope="col">Actions</th></tr></thead>
            <tbody>
              ${items.length === 0 ? html`<tr><td colspan="4">No categories yet.</td></tr>` : null}
              ${items.map((c) => html`<${CategoryRow} key=${`${c.slug}:${c.name}`} category=${c} onChanged=${reload} />`)}
            </tbody>
          </table>
        </div>
      `}
    <//>
    <${AddForm} onAdded=${reload} />
  `
}
