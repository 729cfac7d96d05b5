/** Types of scripts/require-node.js (plain JavaScript, so that it parses on old Node). */
/** package.json's engines.node ("" when there is none). */
export declare function engineRange(): string
/** Whether `version` (e.g. "20.20.2") is within `range` (`>=`, `>`, `<=`, `<`, `=`, `^`, `~`, spaces, `||`). */
export declare function satisfies(version: string, range: string): boolean
/** True when this Node satisfies engines; otherwise re-runs this process under Node 24 and never settles (or exits 1). */
export declare function nodeIsRecentEnough(): Promise<boolean>
