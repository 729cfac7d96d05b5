/** /docs: a self-contained HTML page (no scripts, no CDN) rendered from the OpenAPI document. */

type Json = Record<string, any>

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[ch]!)

const pretty = (v: unknown) => `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`

const METHOD_ORDER = ["get", "head", "post", "put", "patch", "delete", "options"]

const schemaLinks = (schema: unknown): string =>
  esc(JSON.stringify(schema)).replace(
    /#\/components\/schemas\/([A-Za-z0-9._-]+)/g,
    (_m, name: string) => `<a href="#schema-${esc(name)}">${esc(name)}</a>`
  )

const operation = (method: string, path: string, op: Json): string => {
  const params: Array<Json> = op.parameters ?? []
  const body = op.requestBody?.content as Json | undefined
  return `<section class="op" id="${esc(op.operationId)}">
<h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code> — ${esc(op.summary)}</h3>
${op.description ? `<p>${esc(op.description).replace(/\n\n/g, "</p><p>")}</p>` : ""}
<p class="auth">${op["x-roles"] ? `Bearer token${op["x-roles"].length ? `, roles: ${esc(op["x-roles"].join(", "))}` : " (any role)"}` : "No token needed"}</p>
${params.length > 0
    ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${params
      .map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? "yes" : "no"}</td><td><code>${schemaLinks(p.schema)}</code>${p.description ? ` ${esc(p.description)}` : ""}</td></tr>`)
      .join("")}</table>`
    : ""}
${body
    ? Object.entries(body).map(([type, c]) => `<p>Body <code>${esc(type)}</code>${c.schema ? `: <code>${schemaLinks(c.schema)}</code>` : ""}</p>`).join("")
    : ""}
<table><tr><th>status</th><th>meaning</th></tr>${Object.entries(op.responses ?? {})
    .map(([status, r]) => `<tr><td>${esc(status)}</td><td>${esc((r as Json).description)}</td></tr>`)
    .join("")}</table>
</section>`
}

export const docsPage = (doc: Json): string => {
  const ops = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json).map(([method, op]) => ({ path, method, op: op as Json }))
  )
  const tagOf = (op: Json) => (op.tags?.[0] as string | undefined) ?? "other"
  const tags = [...new Set(ops.map((o) => tagOf(o.op)))].sort()
  const sections = tags.map((tag) => {
    const inTag = ops
      .filter((o) => tagOf(o.op) === tag)
      .sort((a, b) => a.path.localeCompare(b.path) || METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method))
    return `<h2 id="tag-${esc(tag)}">${esc(tag)}</h2>\n${inTag.map((o) => operation(o.method, o.path, o.op)).join("\n")}`
  })
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(([name, s]) => `<h3 id="schema-${esc(name)}">${esc(name)}</h3>${pretty(s)}`)
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)} API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font:13px ui-monospace,monospace}pre{background:#f5f5f5;padding:.6rem;overflow:auto}
.op{border-top:1px solid #ddd;padding:.4rem 0}.m{display:inline-block;min-width:4.5rem;text-align:center;border-radius:3px;color:#fff;font-size:13px;padding:1px 4px}
.get,.head{background:#2a7ae2}.post{background:#2b9a3e}.put,.patch{background:#c27c0e}.delete{background:#c2372e}.options{background:#777}
table{border-collapse:collapse;margin:.4rem 0}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}.auth{color:#555}
</style></head><body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>${esc(doc.info.description ?? "")}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${esc(doc.openapi)}). Errors always have the shape
<code>{"error":{"code":"UPPER_SNAKE","message":"…"}}</code>; see <a href="#schema-Error">Error</a>.</p>
<nav>${tags.map((t) => `<a href="#tag-${esc(t)}">${esc(t)}</a>`).join(" · ")} · <a href="#schemas">schemas</a></nav>
${sections.join("\n")}
<h2 id="schemas">Schemas</h2>
${schemas.join("\n")}
</body></html>
`
}
