// The console API's error answers: `{"error": code, "message": text}`, one status per code. The message is for the
// person at the screen (the UI shows it, in their language where the catalogue has the code).
import { Type, type Static } from '@sinclair/typebox';
import { PublishPreviewSchema } from './layout';
import { MoveRefusalSchema } from './seating';

export const CONSOLE_ERRORS = {
  bad_request: 400,
  no_session: 401,
  bad_credentials: 401,
  csrf_missing: 403,
  csrf_mismatch: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  /** Publishing a layout while an occasion is under way, or removing tables with guests, needs the planner's yes. */
  confirm_needed: 409,
  link_used: 410,
  link_expired: 410,
  payload_too_large: 413,
  import_refused: 422,
  /** A seating move that breaks capacity or a hard rule (`refusal` says which). */
  seat_refused: 422,
  login_locked: 429,
  unavailable: 503,
} as const;
export type ConsoleErrorCode = keyof typeof CONSOLE_ERRORS;

export const ImportProblemSchema = Type.Object({ line: Type.Integer({ minimum: 1 }), reason: Type.String() }, { additionalProperties: false });
export type ImportProblemRow = Static<typeof ImportProblemSchema>;

export const ConsoleErrorSchema = Type.Object(
  {
    error: Type.Union(Object.keys(CONSOLE_ERRORS).map((k) => Type.Literal(k as ConsoleErrorCode))),
    message: Type.String(),
    /** import_refused: every bad row, sorted by line. */
    problems: Type.Optional(Type.Array(ImportProblemSchema)),
    /** login_locked: seconds until the next try is taken. */
    retry_after_s: Type.Optional(Type.Integer({ minimum: 1 })),
    /** seat_refused: why, as a code with its params (core/console/seating.ts MoveRefusal). */
    refusal: Type.Optional(MoveRefusalSchema),
    /** confirm_needed: what publishing would do (core/console/layout.ts PublishPreview). */
    preview: Type.Optional(PublishPreviewSchema),
  },
  { additionalProperties: false },
);
export type ConsoleErrorBody = Static<typeof ConsoleErrorSchema>;

/** The header every write carries, holding the session's CSRF token. */
export const CSRF_HEADER = 'x-csrf-token';
/** The session cookie: HttpOnly, SameSite=Strict, Path=/console, Secure except on loopback. */
export const SESSION_COOKIE = 'sp_console';
