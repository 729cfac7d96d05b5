/**
 * `npm run worker`: the media workers alone, without the HTTP API, so processing can scale apart from it
 * (run any number; the Upload aggregate's leases share the work). Same settings as `npm start`; needs a
 * shared event store (EVENTSTORE_URL) and object store (S3) when it runs on another machine than the API.
 * SIGTERM/SIGINT stop it cleanly (running ffmpeg processes are killed; their steps are re-claimed later).
 */
// The module itself, not the package index: the index loads all of platform-node (~30 MB of memory).
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { ConfigProvider, Effect, Layer, Logger, References } from "effect"
import { hostname } from "node:os"
import { describeEventStore, KeyframeConfig, type KeyframeSettings } from "../config.ts"
import { Uploads } from "../uploads/Uploads.ts"
import { newWorkerId } from "../workers/WorkerOptions.ts"
import { actorsLayer } from "./ActorsLayer.ts"
import { objectStoreLayer, processingProgressLayer } from "./AdapterLayers.ts"
import { dataDirLayer } from "./DataDir.ts"
import { eventStoreLayer } from "./EventStoreLayer.ts"
import { exitCode } from "./Main.ts"
import { NodeDigests } from "./NodeDigests.ts"
import { workersLayer } from "./WorkersLayer.ts"
import { nodeConfigProvider } from "./NodeConfigProvider.ts"

const provider = nodeConfigProvider()

/** `worker-<host>-<random>`, trimmed to fit an entity id. */
const workerId = `${newWorkerId()}-${hostname().replace(/[^A-Za-z0-9]/g, "").slice(0, 24) || "host"}`

const workerLayer = (config: KeyframeSettings) =>
  workersLayer(config, workerId).pipe(
    Layer.provide(Uploads.layer.pipe(Layer.provideMerge(Layer.mergeAll(
      actorsLayer(config, false).pipe(Layer.provideMerge(eventStoreLayer(config.eventStore))),
      objectStoreLayer(config),
      processingProgressLayer(config),
      // the chunk step hashes whole originals: node:crypto's native SHA-256
      NodeDigests.layer
    )))),
    // DATA_DIR's folders are made 0700 before any adapter opens them, as in `npm start`
    Layer.provide(dataDirLayer(config)),
    Layer.tap(() =>
      Effect.log(
        `Keyframe worker ${workerId} (Node.js ${process.versions.node}); event store: ${describeEventStore(config.eventStore)}; ` +
          `object store: ${config.objectStore.bucket ? `S3 bucket ${config.objectStore.bucket}` : "files"}`
      )
    ),
    Layer.provide(Layer.mergeAll(
      Logger.layer([config.server.logFormat === "json" ? Logger.consoleJson : Logger.consolePretty()]),
      Layer.succeed(References.MinimumLogLevel, config.server.logLevel)
    ))
  )

const program = Layer.launch(Layer.unwrap(Effect.map(KeyframeConfig, workerLayer)).pipe(Layer.provide(KeyframeConfig.layer))).pipe(
  Effect.tapError((e) => Effect.logError(`Keyframe worker cannot start: ${e.message}`)),
  Effect.provideService(ConfigProvider.ConfigProvider, provider)
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  teardown: (exit, onExit) => onExit(exitCode(exit))
})
