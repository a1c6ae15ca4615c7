#!/bin/sh
# Starts Alertmanager with the Slack webhook taken from $ALERT_SLACK_WEBHOOK. Alertmanager reads secrets from files,
# not from the environment, so the URL is written to the file alertmanager.yml names (slack_api_url_file), readable
# by this user only, and never echoed.
set -eu
: "${ALERT_SLACK_WEBHOOK:?ALERT_SLACK_WEBHOOK must be set to the Slack incoming-webhook URL}"
secret_file="${ALERT_SLACK_WEBHOOK_FILE:-/run/secrets/alert_slack_webhook}"
mkdir -p "$(dirname "$secret_file")"
umask 077
printf '%s' "$ALERT_SLACK_WEBHOOK" > "$secret_file"
unset ALERT_SLACK_WEBHOOK
config="${ALERTMANAGER_CONFIG:-$(dirname "$0")/alertmanager.yml}"
exec "${ALERTMANAGER_BIN:-alertmanager}" --config.file="$config" "$@"
