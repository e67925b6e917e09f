#!/bin/sh
# Runs once, when the postgres service starts on an empty data directory. It makes
# the application role `ems` and one database per bounded context; the `migrate`
# service then applies each context's schema (src/faas_ems/<context>/migrations).
set -eu

# One database per context that ships migrations; keep in step with src/faas_ems/.
CONTEXTS="identity inventory monitoring notifications operations support"
DB_PREFIX="ems_"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    --set=password="$(cat /run/secrets/db-password)" <<'SQL'
CREATE ROLE ems LOGIN CREATEDB PASSWORD :'password';
SQL

for context in $CONTEXTS; do
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -c "CREATE DATABASE ${DB_PREFIX}${context} OWNER ems"
done

# The superuser keeps no password: it is reachable only from inside the container.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -c "ALTER ROLE \"$POSTGRES_USER\" PASSWORD NULL"
