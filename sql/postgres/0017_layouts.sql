-- compatible-with: 0016
-- The Seat Designer (issue 19): a venue's layout draft, the versions published to the doors, and the background images
-- planners upload. None of it syncs: publishing projects the layout onto guestlist.floor_plans and
-- guestlist.seating_tables (cloud-sync/console/routes/layout-publish.ts), which is what the doors read, in the v1 shape.

-- One draft per venue. revision is bumped by every save; a save naming an older one is refused (another tab saved).
CREATE TABLE guestlist.layout_drafts (
  venue_id   text PRIMARY KEY,
  tenant_id  text NOT NULL,
  layout     jsonb NOT NULL,
  revision   integer NOT NULL CHECK (revision >= 1),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text CHECK (updated_by IS NULL OR length(updated_by) BETWEEN 1 AND 254),
  FOREIGN KEY (tenant_id, venue_id) REFERENCES seatpilot.venues (tenant_id, id)
);

-- Every published layout, whole (zones, labels and the background too), so any of them can be restored as the draft.
CREATE TABLE guestlist.layout_versions (
  tenant_id    text NOT NULL,
  venue_id     text NOT NULL,
  version      integer NOT NULL CHECK (version >= 1),
  layout       jsonb NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  published_by text CHECK (published_by IS NULL OR length(published_by) BETWEEN 1 AND 254),
  note         text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
  PRIMARY KEY (venue_id, version),
  FOREIGN KEY (tenant_id, venue_id) REFERENCES seatpilot.venues (tenant_id, id)
);

-- A venue's plan image under the drawing. id is the SHA-256 of the bytes: the same file uploaded twice is one row,
-- and a served image never changes (cached as immutable). 10 MiB: core/console/layout.ts IMAGE_MAX_BYTES.
CREATE TABLE guestlist.layout_images (
  tenant_id  text NOT NULL,
  venue_id   text NOT NULL,
  id         text NOT NULL CHECK (id ~ '^[0-9a-f]{64}$'),
  mime       text NOT NULL CHECK (mime IN ('image/png', 'image/jpeg')),
  width_px   integer NOT NULL CHECK (width_px BETWEEN 1 AND 20000),
  height_px  integer NOT NULL CHECK (height_px BETWEEN 1 AND 20000),
  bytes      bytea NOT NULL CHECK (octet_length(bytes) BETWEEN 1 AND 10485760),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (venue_id, id),
  FOREIGN KEY (tenant_id, venue_id) REFERENCES seatpilot.venues (tenant_id, id)
);

-- Table ids are global primary keys of guestlist.seating_tables. A layout naming another venue's table id must be
-- refused by name before publishing (its upsert would otherwise collide), and the console's role cannot see another
-- tenant's rows to tell: this answers which of the ids are taken elsewhere, and nothing else about those tables.
CREATE FUNCTION guestlist.table_ids_of_other_venues(p_venue_id text, p_ids text[]) RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT id FROM guestlist.seating_tables WHERE id = ANY (p_ids) AND venue_id <> p_venue_id
$$;
REVOKE ALL ON FUNCTION guestlist.table_ids_of_other_venues(text, text[]) FROM PUBLIC;

ALTER TABLE guestlist.layout_drafts ENABLE ROW LEVEL SECURITY;
ALTER TABLE guestlist.layout_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE guestlist.layout_images ENABLE ROW LEVEL SECURITY;

-- The console's role: the session's tenant only (sql 0016).
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['guestlist.layout_drafts', 'guestlist.layout_versions', 'guestlist.layout_images'] LOOP
    EXECUTE format('CREATE POLICY %I ON %s FOR ALL TO seatpilot_console USING (tenant_id = telemetry.claim_tenant_id()) WITH CHECK (tenant_id = telemetry.claim_tenant_id())',
                   replace(t, '.', '_') || '_console_tenant_isolation', t);
  END LOOP;
END $$;

-- Supabase clients read their own tenant's drafts and versions, like the floor plan they become (sql 0009, 0013).
-- Images stay with the service: megabytes of bytea are no client's read, and the console serves them itself.
CREATE POLICY layout_drafts_tenant_isolation_select ON guestlist.layout_drafts FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
CREATE POLICY layout_versions_tenant_isolation_select ON guestlist.layout_versions FOR SELECT TO authenticated
  USING (tenant_id = telemetry.claim_tenant_id());
REVOKE ALL ON guestlist.layout_drafts, guestlist.layout_versions, guestlist.layout_images FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON guestlist.layout_drafts, guestlist.layout_versions TO authenticated, service_role;

-- What the console's API does with them: drafts are saved over, versions and images only added.
GRANT SELECT, INSERT, UPDATE ON guestlist.layout_drafts TO seatpilot_console;
GRANT SELECT, INSERT ON guestlist.layout_versions, guestlist.layout_images TO seatpilot_console;
GRANT EXECUTE ON FUNCTION guestlist.table_ids_of_other_venues(text, text[]) TO seatpilot_console;
