// Signing in to the console: the session, sign-in, set-password links and the session list (cloud-sync/console/auth/).
import { Type, type Static } from '@sinclair/typebox';
import { ConsoleRoleSchema } from './roles';

const DateTime = Type.String({ format: 'date-time' });
export const EmailSchema = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;
/** At least 10 characters; at most 200 (scrypt hashes any length, the limit only bounds the request). */
export const NewPasswordSchema = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH });

/** What is wrong with a new password, in words for the person choosing it, or null (the API and the UI say the same). */
export function passwordProblem(password: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `choose a password of at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `choose a password of at most ${PASSWORD_MAX_LENGTH} characters`;
  return null;
}

const EMAIL = new RegExp(EmailSchema.pattern as string);

/** An e-mail address as accounts store it (trimmed, lower-case), or null when it is not one. */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  return email.length >= 3 && email.length <= 254 && EMAIL.test(email) ? email : null;
}

export const AccountSchema = Type.Object(
  { id: Type.String(), email: Type.String(), role: ConsoleRoleSchema, tenant_id: Type.String(), tenant_name: Type.String() },
  { additionalProperties: false },
);
export type Account = Static<typeof AccountSchema>;

/** `GET /console/api/session`, and the answer to a sign-in. */
export const SessionInfoSchema = Type.Object(
  { account: AccountSchema, csrf_token: Type.String(), expires_at: DateTime },
  { additionalProperties: false },
);
export type SessionInfo = Static<typeof SessionInfoSchema>;

/** `POST /console/api/login`. */
export const LoginRequestSchema = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequestSchema>;

/** `POST /console/api/password-link` (what a link is for, before a password is chosen). */
export const PasswordLinkInspectSchema = Type.Object({ token: Type.String({ minLength: 16, maxLength: 128 }) }, { additionalProperties: false });
export const PasswordLinkInfoSchema = Type.Object(
  { email: Type.String(), tenant_name: Type.String(), expires_at: DateTime },
  { additionalProperties: false },
);
export type PasswordLinkInfo = Static<typeof PasswordLinkInfoSchema>;

/** `POST /console/api/set-password`: uses the link (once) and signs in. */
export const SetPasswordRequestSchema = Type.Object(
  { token: Type.String({ minLength: 16, maxLength: 128 }), password: NewPasswordSchema },
  { additionalProperties: false },
);
export type SetPasswordRequest = Static<typeof SetPasswordRequestSchema>;

/** `GET /console/api/sessions`: the signed-in account's sessions; `DELETE /console/api/sessions/:id` revokes one. */
export const SessionRowSchema = Type.Object(
  {
    id: Type.String(),
    created_at: DateTime,
    last_seen_at: DateTime,
    expires_at: DateTime,
    user_agent: Type.Union([Type.String(), Type.Null()]),
    source: Type.Union([Type.String(), Type.Null()]),
    current: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type SessionRow = Static<typeof SessionRowSchema>;
export const SessionListSchema = Type.Object({ sessions: Type.Array(SessionRowSchema) }, { additionalProperties: false });

/** `GET /console/api/accounts` (owner): the tenant's accounts; `POST` invites one and answers its set-password link. */
export const AccountRowSchema = Type.Object(
  { id: Type.String(), email: Type.String(), role: ConsoleRoleSchema, disabled: Type.Boolean(), password_set: Type.Boolean(), created_at: DateTime },
  { additionalProperties: false },
);
export type AccountRow = Static<typeof AccountRowSchema>;
export const InviteRequestSchema = Type.Object({ email: EmailSchema, role: ConsoleRoleSchema }, { additionalProperties: false });
export type InviteRequest = Static<typeof InviteRequestSchema>;
export const PasswordLinkSchema = Type.Object(
  { account_id: Type.String(), email: Type.String(), link: Type.String(), expires_at: DateTime },
  { additionalProperties: false },
);
export type PasswordLink = Static<typeof PasswordLinkSchema>;
export const AccountPatchSchema = Type.Object(
  { role: Type.Optional(ConsoleRoleSchema), disabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
export type AccountPatch = Static<typeof AccountPatchSchema>;
