/**
 * The event store contract against EventStoreDB/KurrentDB, when EVENTSTORE_URL names a server
 * (kurrentdb://… or esdb://…). No server can run on machines without one; with a Docker engine,
 * @testcontainers/kurrentdb could start a KurrentDB here for the suite (not installed: these
 * machines have no Docker).
 */
import { it } from "vitest"
import { KurrentEventStore } from "../../src/eventstore/kurrent/KurrentEventStore.ts"
import { describeContract } from "./ContractVitest.ts"

const url = process.env.EVENTSTORE_URL ?? ""

if (/^(kurrentdb|kurrent|kdb|esdb)(\+discover)?:\/\//.test(url)) {
  describeContract(`kurrent (${url.replace(/\/\/[^@/]*@/, "//***@")})`, {
    layer: () => KurrentEventStore.layer({ url }),
    // a shared server keeps what earlier runs wrote
    fresh: false
  })
} else {
  const reason =
    "KurrentDB contract suite skipped: no server (set EVENTSTORE_URL=kurrentdb://host:2113?tls=false to run it)"
  console.warn(reason)
  it.skip(reason, () => {})
}
