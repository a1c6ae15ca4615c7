// Numbers the kiosk crash test and its child agree on.
export const CRASH_GUESTS = 2000;
export const SYNC_PAGE_GUESTS = 200;
export const SYNC_VERSION_BASE = 1_000_000;
export const SYNC_VERSION_STEP = 1000;
