-- compatible-with: 0018
-- The console's audit, hash-chained per tenant (issue 20, part 7): each new entry carries its place in the tenant's
-- chain (seq: 1, 2, 3 … without gaps), the previous entry's hash and its own, over the canonical form of
-- core/audit/chain.ts, so an entry deleted or altered behind the trigger's back (by someone who can disable it) is
-- found by `seatpilot cloud audit verify` and the console's audit page (cloud-sync/console/audit-verify.ts).
--
-- Entries written before this migration keep seq NULL: "before the chain began", reported as such, never verified.

ALTER TABLE console.audit_log
  ADD COLUMN seq bigint CHECK (seq IS NULL OR seq >= 1),
  ADD COLUMN prev_hash text CHECK (prev_hash IS NULL OR prev_hash ~ '^[0-9a-f]{64}$'),
  ADD COLUMN hash text CHECK (hash IS NULL OR hash ~ '^[0-9a-f]{64}$'),
  ADD CONSTRAINT audit_log_chain_all_or_none CHECK ((seq IS NULL) = (hash IS NULL) AND (seq IS NULL) = (prev_hash IS NULL));
-- One entry per place in a tenant's chain; the verifier reads the chain in this order.
CREATE UNIQUE INDEX audit_log_chain_idx ON console.audit_log (tenant_id, seq) WHERE seq IS NOT NULL;

-- From now on every entry is chained: an insert without its place is refused (cloud-sync/console/audit.ts recordAudit
-- is the one writer).
CREATE FUNCTION console.audit_log_chained() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.seq IS NULL THEN
    RAISE EXCEPTION 'an audit entry must be appended to its tenant''s chain (seq, prev_hash, hash)'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION console.audit_log_chained() FROM PUBLIC;
CREATE TRIGGER audit_log_chained BEFORE INSERT ON console.audit_log
  FOR EACH ROW EXECUTE FUNCTION console.audit_log_chained();

-- Each tenant's chain head: the last entry's seq and hash. An append locks its tenant's row FOR UPDATE, so appends of
-- one tenant serialize (and get consecutive seqs) while other tenants' go on; seq 0 with the genesis hash before the
-- first entry. The verifier also checks the chain ends here, so removing the newest entries is found too.
CREATE TABLE console.audit_chain_heads (
  tenant_id text PRIMARY KEY REFERENCES seatpilot.tenants (id),
  seq       bigint NOT NULL CHECK (seq >= 0),
  hash      text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  at        timestamptz
);

ALTER TABLE console.audit_chain_heads ENABLE ROW LEVEL SECURITY;
CREATE POLICY console_audit_chain_heads_console_tenant_isolation ON console.audit_chain_heads FOR ALL TO seatpilot_console
  USING (tenant_id = telemetry.claim_tenant_id()) WITH CHECK (tenant_id = telemetry.claim_tenant_id());
GRANT SELECT, INSERT, UPDATE ON console.audit_chain_heads TO seatpilot_console;
