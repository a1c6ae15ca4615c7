-- Staff roles on the tablets (issue 20): the role a pairing code gives, and the role a paired tablet works with. Codes and
-- tablets from before roles are stewards, which is all a tablet could be then.
ALTER TABLE tablet_pairing_codes ADD COLUMN role TEXT NOT NULL DEFAULT 'steward' CHECK (role IN ('steward', 'supervisor'));
ALTER TABLE tablets ADD COLUMN role TEXT NOT NULL DEFAULT 'steward' CHECK (role IN ('steward', 'supervisor'));
