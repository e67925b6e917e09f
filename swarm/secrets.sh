#!/usr/bin/env bash
# Creates the Docker secrets that swarm/stack.yml and the functions of stack.yml use.
# Nothing secret is written to the repository. A secret that already exists is kept
# (Swarm secrets cannot change; to rotate one, remove the services that use it,
# `docker secret rm` it, run this again and redeploy).
#
#   swarm/secrets.sh                      random values; the Gemini key from $GEMINI_API_KEY,
#                                         the SMTP server's password from $SMTP_PASSWORD
#   EMS_SECRETS_FROM=/srv/ems swarm/secrets.sh
#                                         a file named like the secret wins over a random value
#
# The two credentials an operator types (the gateway's basic-auth password for
# faas-cli, the first administrator's password) are also kept, readable only by you,
# in $EMS_CREDENTIALS_DIR (default ~/.config/faas-ems): Swarm never shows a secret again.
set -euo pipefail

SECRETS_FROM="${EMS_SECRETS_FROM:-}"
CREDENTIALS_DIR="${EMS_CREDENTIALS_DIR:-$HOME/.config/faas-ems}"
# Random hex: safe in URLs, in the RabbitMQ definitions and in libpq strings. The
# rabbitmq-<role> ones are each component's own broker account (ems/broker_accounts.py).
RANDOM_SECRETS=(jwt-secret internal-token db-password rabbitmq-password redis-password
    basic-auth-password admin-password rabbitmq-connector rabbitmq-hub rabbitmq-identity rabbitmq-inventory
    rabbitmq-monitoring rabbitmq-support rabbitmq-readings rabbitmq-operations)
KEPT_FOR_OPERATOR=(basic-auth-password admin-password)

say() { printf '[secrets] %s\n' "$*"; }

random_value() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

exists() { docker secret inspect "$1" >/dev/null 2>&1; }

create() {
    local name="$1" value="$2"
    printf '%s' "$value" | docker secret create --label project=faas-ems "$name" - >/dev/null
    say "created $name"
    if [[ " ${KEPT_FOR_OPERATOR[*]} " == *" $name "* ]]; then
        (umask 077 && mkdir -p "$CREDENTIALS_DIR" && printf '%s\n' "$value" >"$CREDENTIALS_DIR/$name")
        say "  kept for you in $CREDENTIALS_DIR/$name"
    fi
}

value_for() {
    local name="$1"
    if [[ -n "$SECRETS_FROM" && -f "$SECRETS_FROM/$name" ]]; then
        tr -d '\n' <"$SECRETS_FROM/$name"
    elif [[ "$name" == basic-auth-user ]]; then
        printf '%s' "${BASIC_AUTH_USER:-admin}"
    elif [[ "$name" == gemini-api-key ]]; then
        printf '%s' "${GEMINI_API_KEY:-}"
    elif [[ "$name" == smtp-password ]]; then
        printf '%s' "${SMTP_PASSWORD:-}"
    else
        random_value
    fi
}

docker info --format '{{.Swarm.LocalNodeState}}' | grep -qx active \
    || { say "this Docker engine is not in a swarm: run swarm/deploy.sh (or docker swarm init)"; exit 1; }

for name in basic-auth-user "${RANDOM_SECRETS[@]}" gemini-api-key smtp-password; do
    if exists "$name"; then
        say "kept $name (exists)"
        continue
    fi
    value="$(value_for "$name")"
    if [[ -z "$value" && "$name" == smtp-password ]]; then
        say "smtp-password: none given (SMTP_PASSWORD or \$EMS_SECRETS_FROM/smtp-password);"
        say "  used only when SMTP_USER is set in stack.yml"
        value="unset"
    elif [[ -z "$value" ]]; then
        say "gemini-api-key: no key given (GEMINI_API_KEY or \$EMS_SECRETS_FROM/gemini-api-key);"
        say "  the chat answers with its rules and hands over to a human until you add one"
        value="unset"
    fi
    create "$name" "$value"
done
say "done: $(docker secret ls --filter label=project=faas-ems -q | wc -l) faas-ems secrets"
