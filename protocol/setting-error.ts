/** A bad environment setting (SEATPILOT_*): the CLIs print its message, which names the variable, and exit 1. */
export class SettingError extends Error {
  override name = 'SettingError';
}
