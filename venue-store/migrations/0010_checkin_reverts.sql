-- compatible-with: 0009
-- A check-in undone (checkin.reverted, issue 20 part 4): the row stays, as the door saw it, and `reverted_by` names the
-- revert's event id. A reverted row no longer counts as the guest's movement: the door's decision (kiosk/guests.ts) and
-- the hub's tablets read `outcome = 'admitted' AND reverted_by IS NULL`, so the guest may check in again.
ALTER TABLE checkins ADD COLUMN reverted_by TEXT;
