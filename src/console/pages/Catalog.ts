/**
 * The catalog (`#/`): the public, published, ready videos of everyone (`GET /videos`), filtered by
 * category and title and sorted; the filters live in the hash query (`#/?category=x&q=y&sort=views`)
 * so a filtered view can be shared and reloaded. Paged with the server's `next` cursor ("More videos").
 */
import { html } from "htm/preact"
import { useEffect, useState } from "preact/hooks"
import { get } from "../api.ts"
import { href, navigate, type PageProps } from "../router.ts"
import { ErrorText, formatDuration, Show, useLoad } from "../ui.ts"

export interface Category {
  readonly slug: string
  readonly name: string
}

/** The fields of a catalog entry the console shows (projections/VideoDocument.ts has them all). */
export interface VideoSummary {
  readonly id: string
  readonly ownerId: string
  readonly title: string
  readonly description: string
  readonly category: string | null
  readonly visibility: "public" | "unlisted" | "private"
  readonly published: boolean
  readonly status: "processing" | "ready" | "failed" | string
  readonly failureReason: string | null
  readonly takenDown: boolean
  readonly takedown: { readonly reason: string; readonly at: number } | null
  readonly durationSeconds: number | null
  readonly thumbnailUrl: string | null
  readonly views: number
  readonly likes: number
  readonly dislikes: number
  readonly createdAt: number
  readonly publishedAt: number | null
}

interface VideoPage {
  readonly items: ReadonlyArray<VideoSummary>
  readonly next: string | null
}

const SORTS = [
  { value: "newest", label: "Newest" },
  { value: "views", label: "Most viewed" },
  { value: "likes", label: "Most liked" }
] as const

const PAGE_SIZE = 12

/** The categories, loaded once per page that needs them. */
export const loadCategories = (signal?: AbortSignal) =>
  get<{ items: ReadonlyArray<Category> }>("/categories", signal === undefined ? {} : { signal }).then((r) => r.items)

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`

const VideoCard = ({ video, categories }: { video: VideoSummary; categories: ReadonlyArray<Category> }) => {
  const category = categories.find((c) => c.slug === video.category)
  return html`
    <li class="card catalog-card">
      <a href=${href(`/videos/${encodeURIComponent(video.id)}`)} class="catalog-link">
        ${video.thumbnailUrl === null
          ? html`<span class="thumb thumb-empty" aria-hidden="true"></span>`
          : html`<img class="thumb" src=${video.thumbnailUrl} alt="" loading="lazy" width="320" height="180" />`}
        <span class="catalog-title">${video.title}</span>
      </a>
      <p class="hint catalog-meta">
        <span>by ${video.ownerId}</span>
        ${video.durationSeconds === null ? null : html`<span><span class="visually-hidden">duration </span>${formatDuration(video.durationSeconds)}</span>`}
        <span>${plural(video.views, "view")}</span>
        ${category === undefined ? null : html`<span class="badge">${category.name}</span>`}
      </p>
    </li>
  `
}

/** The filters as the hash query says; `sort=newest` and empty values are left out of the URL. */
const filtersOf = (query: URLSearchParams) => ({
  category: query.get("category") ?? "",
  q: query.get("q") ?? "",
  sort: query.get("sort") ?? "newest"
})

const catalogPath = (filters: { category: string; q: string; sort: string }) => {
  const query = new URLSearchParams()
  if (filters.category !== "") query.set("category", filters.category)
  if (filters.q.trim() !== "") query.set("q", filters.q.trim())
  if (filters.sort !== "newest") query.set("sort", filters.sort)
  const s = query.toString()
  return s === "" ? "/" : `/?${s}`
}

const listPath = (filters: { category: string; q: string; sort: string }, cursor?: string) => {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) })
  if (filters.category !== "") query.set("category", filters.category)
  if (filters.q.trim() !== "") query.set("q", filters.q.trim())
  if (filters.sort !== "newest") query.set("sort", filters.sort)
  if (cursor !== undefined) query.set("cursor", cursor)
  return `/videos?${query}`
}

export const CatalogPage = ({ route }: PageProps) => {
  const filters = filtersOf(route.query)
  const key = catalogPath(filters)
  const [search, setSearch] = useState(filters.q)
  // a reload or a shared link (or the back button) brings other filters: the search box follows
  useEffect(() => setSearch(filters.q), [filters.q])
  const categories = useLoad((signal) => loadCategories(signal), [])
  const first = useLoad((signal) => get<VideoPage>(listPath(filters), { signal }), [key])
  // the pages after the first, fetched with "More videos"
  const [more, setMore] = useState<{ key: string; items: ReadonlyArray<VideoSummary>; next: string | null } | undefined>()
  const [moreError, setMoreError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  useEffect(() => (setMore(undefined), setMoreError(undefined)), [key])

  const change = (next: Partial<typeof filters>) => navigate(catalogPath({ ...filters, q: search, ...next }))
  const loadMore = async (cursor: string) => {
    setBusy(true)
    setMoreError(undefined)
    try {
      const page = await get<VideoPage>(listPath(filters, cursor))
      setMore((m) => ({ key, items: [...(m?.key === key ? m.items : []), ...page.items], next: page.next }))
    } catch (e) {
      setMoreError(e)
    } finally {
      setBusy(false)
    }
  }
  const known = categories.loaded.state === "ready" ? categories.loaded.value : []
  const filtered = filters.category !== "" || filters.q !== ""

  return html`
    <h1>Catalog</h1>
    <form class="card catalog-filters" role="search" aria-label="Filter the catalog"
      onSubmit=${(e: Event) => (e.preventDefault(), change({ q: search }))}>
      <div class="catalog-search">
        <label for="catalog-q">Search titles</label>
        <div class="row nowrap">
          <input id="catalog-q" type="search" name="q" maxlength="100" value=${search}
            onInput=${(e: Event) => setSearch((e.target as HTMLInputElement).value)} />
          <button type="submit">Search</button>
        </div>
      </div>
      <div>
        <label for="catalog-category">Category</label>
        <select id="catalog-category" name="category" value=${filters.category}
          onChange=${(e: Event) => change({ category: (e.target as HTMLSelectElement).value })}>
          <option value="">All categories</option>
          ${known.map((c) => html`<option value=${c.slug}>${c.name}</option>`)}
          ${filters.category !== "" && categories.loaded.state === "ready" && !known.some((c) => c.slug === filters.category)
            ? html`<option value=${filters.category}>${filters.category} (unknown)</option>`
            : null}
        </select>
      </div>
      <div>
        <label for="catalog-sort">Sort by</label>
        <select id="catalog-sort" name="sort" value=${filters.sort}
          onChange=${(e: Event) => change({ sort: (e.target as HTMLSelectElement).value })}>
          ${SORTS.map((s) => html`<option value=${s.value}>${s.label}</option>`)}
        </select>
      </div>
    </form>
    <${ErrorText} error=${categories.loaded.state === "failed" ? categories.loaded.error : undefined} />
    <${Show} loaded=${first.loaded}>${(page: VideoPage) => {
      const extra = more?.key === key ? more : undefined
      const items = [...page.items, ...(extra?.items ?? [])]
      const next = extra === undefined ? page.next : extra.next
      return html`
        <p class="hint" aria-live="polite">
          ${items.length === 0
            ? null
            : `${plural(items.length, "video")} shown${next === null ? "" : " (more available)"}${filtered ? " for these filters" : ""}.`}
        </p>
        ${items.length === 0
          ? html`<div class="card empty">
              <p>${filtered
                ? "No published video matches these filters."
                : "No videos have been published yet."}</p>
              ${filtered ? html`<p><a href=${href("/")}>Show every video</a></p>` : html`<p><a href=${href("/upload")}>Upload one</a>.</p>`}
            </div>`
          : html`<ul class="grid catalog-grid" aria-label="Videos">
              ${items.map((v) => html`<${VideoCard} key=${v.id} video=${v} categories=${known} />`)}
            </ul>`}
        <${ErrorText} error=${moreError} />
        ${next === null ? null : html`
          <button type="button" class="secondary" disabled=${busy} onClick=${() => loadMore(next)}>${busy ? "Loading…" : "More videos"}</button>`}
      `
    }}<//>
  `
}
