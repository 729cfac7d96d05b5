/**
 * Sign in: paste a token (from your identity provider, or `npm run token`); in development, "sign in
 * as" mints one — offered only when the server says this page may (DevSignIn.ts: development secret,
 * loopback only), and refused by the server otherwise.
 */
import { html } from "htm/preact"
import { useState } from "preact/hooks"
import { consoleConfig, post } from "../api.ts"
import { type Role, signIn } from "../session.ts"
import { ErrorText, useLoad } from "../ui.ts"

const ROLES: ReadonlyArray<Role> = ["user", "sponsor", "admin", "auditor"]

const TokenForm = () => {
  const [token, setToken] = useState("")
  const [error, setError] = useState<string | undefined>()
  const submit = (e: Event) => {
    e.preventDefault()
    const result = signIn(token)
    setError(typeof result === "string" ? `This token cannot be used: ${result}.` : undefined)
  }
  return html`
    <form class="card" onSubmit=${submit} aria-labelledby="token-title">
      <h2 id="token-title">Sign in with a token</h2>
      <label for="token">Bearer token (JWT)</label>
      <textarea id="token" name="token" rows="3" required value=${token} onInput=${(e: Event) => setToken((e.target as HTMLTextAreaElement).value)}
        placeholder="eyJhbGciOi…" aria-describedby="token-help"></textarea>
      <p id="token-help" class="hint">Mint one on the server with <code>npm run token -- --sub alice</code>.</p>
      ${error === undefined ? null : html`<p class="error" role="alert">${error}</p>`}
      <button type="submit">Sign in</button>
    </form>
  `
}

const DevSignInForm = () => {
  const [sub, setSub] = useState("alice")
  const [roles, setRoles] = useState<ReadonlyArray<Role>>(["user"])
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const toggle = (role: Role) => setRoles(roles.includes(role) ? roles.filter((r) => r !== role) : [...roles, role])
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      const { token } = await post<{ token: string }>("/console/dev-token", { sub, roles })
      const result = signIn(token)
      if (typeof result === "string") setError(new Error(result))
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return html`
    <form class="card" onSubmit=${submit} aria-labelledby="dev-title">
      <h2 id="dev-title">Sign in as (development)</h2>
      <p class="hint">This server checks tokens with its development secret and you opened it on this machine, so it can mint one for anyone.</p>
      <label for="dev-sub">User id</label>
      <input id="dev-sub" name="sub" required pattern="[A-Za-z0-9][A-Za-z0-9_.:@\\-]{0,99}" value=${sub}
        onInput=${(e: Event) => setSub((e.target as HTMLInputElement).value)} />
      <fieldset>
        <legend>Roles</legend>
        ${ROLES.map((role) => html`
          <label class="inline"><input type="checkbox" name="roles" value=${role} checked=${roles.includes(role)} onChange=${() => toggle(role)} /> ${role}</label>
        `)}
      </fieldset>
      <${ErrorText} error=${error} />
      <button type="submit" disabled=${busy || roles.length === 0}>Sign in as ${sub || "…"}</button>
    </form>
  `
}

export const SignInPage = () => {
  const { loaded } = useLoad(() => consoleConfig(), [])
  return html`
    <section class="sign-in">
      <h1>Keyframe</h1>
      <p>Upload, watch and share video; watch together in rooms.</p>
      <${TokenForm} />
      ${loaded.state === "ready" && loaded.value.devSignIn ? html`<${DevSignInForm} />` : null}
    </section>
  `
}
