-- The customer portal (src/portal/): the platform's customers, their teams with roles, and the
-- applications a team owns.

-- Applications belong to a team (the seed drew teams.app_id, one team per application; the
-- portal needs the reverse: a team owns many applications). Nothing wrote teams before this.
ALTER TABLE teams DROP COLUMN app_id;
ALTER TABLE teams ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- Roles: what each may do is the written table in src/portal/roles.ts.
ALTER TABLE customer_user_teams ALTER COLUMN role SET DEFAULT 'viewer';
UPDATE customer_user_teams SET role = 'viewer' WHERE role NOT IN ('owner', 'admin', 'developer', 'moderator', 'viewer');
ALTER TABLE customer_user_teams
  ADD CONSTRAINT customer_user_teams_role_check
    CHECK (role IN ('owner', 'admin', 'developer', 'moderator', 'viewer')),
  ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX customer_user_teams_team_idx ON customer_user_teams (team_id);

-- Emails compare case-insensitively: one account per address however it is typed.
CREATE UNIQUE INDEX customer_users_email_lower_idx ON customer_users (lower(email));

-- An application's team (null for applications made by the operator's CLI before a team existed,
-- and for the demo application); its state: disabled (is_active false: refused with app_disabled),
-- deleted (deleted_at: gone for every caller, its rows purged later). A secret rotation keeps the
-- previous secret verifying tokens until previous_secret_expires_at.
ALTER TABLE applications
  ADD COLUMN team_id uuid REFERENCES teams(id) ON DELETE RESTRICT,
  ADD COLUMN disabled_at timestamptz,
  ADD COLUMN deleted_at timestamptz,
  ADD COLUMN previous_api_secret text,
  ADD COLUMN previous_secret_expires_at timestamptz,
  ADD COLUMN secret_rotated_at timestamptz;
CREATE INDEX applications_team_idx ON applications (team_id) WHERE deleted_at IS NULL;

-- Portal sessions: the refresh tokens of customer accounts. A table of their own (not
-- refresh_tokens, whose rows are an application's and reached only through its scope); one
-- family is one session (a login), rotated token by token with reuse detection, as for app users.
CREATE TABLE customer_refresh_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_user_id uuid NOT NULL REFERENCES customer_users(id) ON DELETE CASCADE,
  token text NOT NULL UNIQUE,
  family_id uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  replaced_by uuid,
  -- What the sessions list shows: where and with what the session started.
  user_agent text,
  ip text,
  session_started_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_refresh_tokens_family_idx ON customer_refresh_tokens (family_id);
CREATE INDEX customer_refresh_tokens_customer_idx ON customer_refresh_tokens (customer_user_id);

-- Invitations to a team: a single-use link (only its hash stored) with the role it grants.
CREATE TABLE team_invites (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  token text NOT NULL UNIQUE,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'developer', 'moderator', 'viewer')),
  email text,
  created_by uuid REFERENCES customer_users(id) ON DELETE SET NULL,
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  accepted_by uuid REFERENCES customer_users(id) ON DELETE SET NULL,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX team_invites_team_idx ON team_invites (team_id, created_at);

-- What portal members did to a team and its applications (key rotations, role changes, support
-- views), newest first per team.
CREATE TABLE portal_audit (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  -- Named application_id, not app_id: the row is the team's record, read across its applications.
  application_id uuid REFERENCES applications(id) ON DELETE SET NULL,
  customer_user_id uuid REFERENCES customer_users(id) ON DELETE SET NULL,
  action text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX portal_audit_team_idx ON portal_audit (team_id, created_at DESC);
