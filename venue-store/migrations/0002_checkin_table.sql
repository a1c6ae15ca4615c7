-- The table a guest was sent to at check-in, as the welcome screen showed it: seating can change later, and the
-- door-to-seat measure pairs an arrival with the table the guest was actually directed to.
ALTER TABLE checkins ADD COLUMN table_id TEXT;
