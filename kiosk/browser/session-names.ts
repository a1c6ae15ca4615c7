// Where browser mode's per-boot session secret travels (kiosk/browser/session.ts): names shared by the server and the
// renderer's transport, so neither spells them on its own.

/** A `<meta name=… content=…>` the server writes into the index.html it serves. */
export const KIOSK_SESSION_META = 'seatpilot-session';
/** The header every POST /ipc/* carries. */
export const KIOSK_SESSION_HEADER = 'x-kiosk-session';
/** EventSource cannot set headers: /events takes the secret as this query parameter. */
export const KIOSK_SESSION_QUERY = 'session';
