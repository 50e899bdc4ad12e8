#!/usr/bin/env bash
# PostgreSQL's image runs this once, on an empty data directory (/docker-entrypoint-initdb.d); the
# Kubernetes manifest (deploy/k8s/postgres.yaml) carries the same script.
#
# One database per app (architecture.md §2), and three login roles per database:
#   <db>_owner  owns the database and its tables, runs the migrations (DATABASE_URL);
#   <db>_app    what the app connects as: not an owner, so row-level security applies to it;
#   <db>_relay  the outbox relay, which reads across tenants.
# The migrations grant <db>_app and <db>_relay what they need. Services such as Keycloak get a
# database and an owner only (ACCANTO_SERVICE_DATABASES).
# Passwords: <ROLE>_PASSWORD (e.g. PEOPLE_APP_PASSWORD), else ACCANTO_DB_PASSWORD.
set -euo pipefail

app_databases="${ACCANTO_DATABASES:-people street_outings shelter_places residence_requests reporting}"
service_databases="${ACCANTO_SERVICE_DATABASES:-}"

password_for() {
  local variable
  variable="$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]')_PASSWORD"
  printf '%s' "${!variable:-${ACCANTO_DB_PASSWORD:?set ACCANTO_DB_PASSWORD or $variable}}"
}

create_role() {
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v role="$1" -v password="$(password_for "$1")" <<'SQL'
create role :"role" login nosuperuser nocreatedb nocreaterole nobypassrls password :'password';
SQL
}

create_database() {
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -v db="$1" -v owner="$1_owner" <<'SQL'
create database :"db" owner :"owner";
revoke all on database :"db" from public;
SQL
}

for db in $app_databases; do
  create_role "${db}_owner"
  create_role "${db}_app"
  create_role "${db}_relay"
  create_database "$db"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v db="$db" -v app="${db}_app" -v relay="${db}_relay" <<'SQL'
grant connect on database :"db" to :"app", :"relay";
SQL
done

for db in $service_databases; do
  create_role "${db}_owner"
  create_database "$db"
done
