/** The test runner runs on a Node within package.json's engines (`npm test` re-runs itself under Node 24 on an older one). */
import { expect, it } from "vitest"
import { engineRange, satisfies } from "../../scripts/require-node.js"

it(`runs on a Node within engines (${engineRange()})`, () => {
  expect(satisfies(process.versions.node, engineRange()), `Node ${process.versions.node}`).toBe(true)
})
