-- One row the store's health probe rewrites: when a full disk or a failed write has put a box out of order, a commit of
-- this row succeeding is what says it can store check-ins again (kiosk/store/store-health.ts).
CREATE TABLE store_probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  probed_ms INTEGER NOT NULL
);
