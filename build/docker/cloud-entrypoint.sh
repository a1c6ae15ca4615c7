#!/bin/sh
# The cloud image's entry point: settings that are secrets come from files (Docker/compose secrets), never from the
# image or the compose file. For each NAME below, NAME_FILE names a file whose content becomes NAME; then the command runs.
set -eu
for name in DATABASE_URL PGPASSWORD SEATPILOT_ADMIN_TOKEN SEATPILOT_METRICS_TOKEN; do
  eval "file=\${${name}_FILE:-}"
  if [ -n "$file" ]; then
    if [ ! -r "$file" ]; then
      echo "seatpilot cloud: ${name}_FILE names $file, which cannot be read" >&2
      exit 78
    fi
    value=$(cat "$file")
    export "$name=$value"
    unset "${name}_FILE"
  fi
done
exec "$@"
