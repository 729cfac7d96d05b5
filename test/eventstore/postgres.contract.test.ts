/** The event store contract against the PostgreSQL adapter, in a fresh schema of the local server. */
import { PostgresEventStore } from "../../src/eventstore/postgres/PostgresEventStore.ts"
import { freshPostgresSchema } from "../support/postgres.ts"
import { describeContract } from "./ContractVitest.ts"

let drop: (() => Promise<void>) | undefined
describeContract("postgres", {
  layer: async () => {
    const { url, schema, drop: dropSchema } = await freshPostgresSchema()
    drop = dropSchema
    return PostgresEventStore.layer({ url, schema })
  },
  fresh: true,
  cleanup: async () => {
    await drop?.()
  }
})
