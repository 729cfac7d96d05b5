/** Request and response schemas of the video and catalog commands over HTTP (validation and /openapi.json both use them). */
import { Schema } from "effect"
import { CategorySlug } from "../../domain/catalog/CatalogCommands.ts"
import { EntityId, Reason } from "../../domain/shared/Primitives.ts"
import { MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH, Visibility } from "../../domain/video/VideoCommands.ts"
import { MAX_ALLOWED_ORIGINS } from "../../domain/video/VideoOrigins.ts"

export const VideoParams = Schema.Struct({ id: EntityId })

export const CategoryParams = Schema.Struct({ slug: CategorySlug })

/** Lengths are the decider's to check (422 VIDEO_TITLE_INVALID / VIDEO_DESCRIPTION_INVALID), so the bound here is loose. */
const Text = Schema.String.check(Schema.isMaxLength(20_000))

export const EditVideoBody = Schema.Struct({
  title: Schema.optional(Text.annotate({ description: `1–${MAX_TITLE_LENGTH} characters after trimming` })),
  description: Schema.optional(Text.annotate({ description: `at most ${MAX_DESCRIPTION_LENGTH} characters` })),
  category: Schema.optional(Schema.NullOr(CategorySlug).annotate({ description: "a slug of GET /categories (422 UNKNOWN_CATEGORY otherwise); null = none" })),
  visibility: Schema.optional(Visibility.annotate({ description: "public: listed; unlisted: by id only; private: you and admins" })),
  // loose bounds: the list's rules are the decider's (422 VIDEO_ORIGINS_INVALID)
  allowedOrigins: Schema.optional(
    Schema.Array(Schema.String.check(Schema.isMaxLength(2000))).check(Schema.isMaxLength(100)).annotate({
      description: "hotlink protection: web origins (`https://example.com`, `http://localhost:8080`: http or https, a host, " +
        `an optional port, no path) whose pages may play it, at most ${MAX_ALLOWED_ORIGINS}; a playlist or segment request whose ` +
        "Origin (or else Referer) is another is 403 PLAYBACK_ORIGIN_NOT_ALLOWED; one with neither header plays. [] = any origin"
    })
  )
}).annotate({ identifier: "EditVideoBody" })

export const TakedownBody = Schema.Struct({
  reason: Reason.check(Schema.isMinLength(1)).annotate({ description: "shown to the owner and kept in the audit trail" })
}).annotate({ identifier: "TakedownBody" })

export const CreateCategoryBody = Schema.Struct({
  slug: CategorySlug.annotate({ description: "lower-case words joined by dashes, at most 50 characters" }),
  name: Schema.String.check(Schema.isMaxLength(1000)).annotate({ description: "1–50 characters, unique (case-insensitive)" })
}).annotate({ identifier: "CreateCategoryBody" })

export const RenameCategoryBody = Schema.Struct({
  name: Schema.String.check(Schema.isMaxLength(1000)).annotate({ description: "1–50 characters, unique (case-insensitive)" })
}).annotate({ identifier: "RenameCategoryBody" })

export const CommandResult = Schema.Struct({
  id: Schema.String,
  changed: Schema.Boolean.annotate({ description: "false when it already was so" }),
  revision: Schema.Int,
  position: Schema.Int.annotate({ description: "global position: pass it to a query (Keyframe-Min-Position) to read your write" })
}).annotate({ identifier: "VideoCommandResult" })
