-- compatible-with: 0011
-- The hub audit's head may move by a whole batch at once (issue 20's cost goal): the ingest of a door's batch appends
-- its entries and moves the head once, at the end of the same transaction, instead of once per entry.
-- The rule stays as strict as 0009's, said differently: the head only moves forward, and only onto the newest entry
-- (its seq and its hash), with every entry between the old head and the new one present. A 0011 build, which moves
-- the head onto each entry it has just written, keeps to it (hence compatible with 0011).
DROP TRIGGER audit_head_forward;
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
WHEN NEW.id <> OLD.id
  OR NEW.seq <= OLD.seq
  OR NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq AND hash = NEW.hash)
  OR EXISTS (SELECT 1 FROM audit_log WHERE seq > NEW.seq)
  OR (SELECT count(*) FROM audit_log WHERE seq > OLD.seq AND seq <= NEW.seq) <> NEW.seq - OLD.seq
BEGIN SELECT RAISE(ABORT, 'audit_head moves forward only, onto the newest entry'); END;
