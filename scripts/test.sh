#!/usr/bin/env bash
# Runs closeloop's whole test suite: gofmt, go vet, then every test — store and API
# tests on both SQLite and PostgreSQL, real-Chromium UI tests, and the end-to-end test
# of the real binary.
#
# On a fresh Debian machine with only Go, run as root: it installs PostgreSQL and
# Chromium from Debian's packages when they are missing, and starts PostgreSQL when it
# is not running. With CI=true a test whose dependency is still missing fails instead
# of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '== %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }
apt_updated=
apt_install() {
	if ! is_root; then
		say "cannot install $* (not root); tests needing it will skip, or fail under CI=true"
		return 1
	fi
	if [ -z "$apt_updated" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# --- PostgreSQL -------------------------------------------------------------------
start_postgres() {
	command -v pg_ctlcluster >/dev/null 2>&1 || return 1
	local v
	for v in $(ls /etc/postgresql 2>/dev/null); do
		pg_ctlcluster --skip-systemctl-redirect "$v" main start >&2 2>/dev/null || pg_ctlcluster "$v" main start >&2 || true
	done
	for _ in $(seq 1 30); do
		pg_isready -q -h 127.0.0.1 -p 5432 && return 0
		sleep 1
	done
	return 1
}

can_connect() { command -v psql >/dev/null 2>&1 && psql "$1" -Atqc 'select 1' >/dev/null 2>&1; }

if [ -z "${CLOSELOOP_TEST_POSTGRES_URL:-}" ]; then
	if ! command -v pg_isready >/dev/null 2>&1 || ! pg_isready -q -h 127.0.0.1 -p 5432; then
		if ! command -v pg_ctlcluster >/dev/null 2>&1; then
			say "installing PostgreSQL"
			apt_install postgresql || true
		fi
		say "starting PostgreSQL"
		start_postgres || say "PostgreSQL did not start"
	fi
	default_url="postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	if can_connect "$default_url"; then
		export CLOSELOOP_TEST_POSTGRES_URL="$default_url"
	elif is_root && command -v psql >/dev/null 2>&1; then
		# A fresh Debian install uses peer/password auth: make a test role and database.
		say "creating PostgreSQL role and database closeloop_test"
		su postgres -c "psql -Atqc \"SELECT 1 FROM pg_roles WHERE rolname='closeloop_test'\"" | grep -q 1 ||
			su postgres -c "psql -qc \"CREATE ROLE closeloop_test LOGIN SUPERUSER PASSWORD 'closeloop_test'\"" >&2
		su postgres -c "psql -Atqc \"SELECT 1 FROM pg_database WHERE datname='closeloop_test'\"" | grep -q 1 ||
			su postgres -c "createdb -O closeloop_test closeloop_test" >&2
		export CLOSELOOP_TEST_POSTGRES_URL="postgres://closeloop_test:closeloop_test@127.0.0.1:5432/closeloop_test?sslmode=disable"
	else
		export CLOSELOOP_TEST_POSTGRES_URL="$default_url"
	fi
fi
say "PostgreSQL for tests: ${CLOSELOOP_TEST_POSTGRES_URL%%\?*}"

# --- Chromium ---------------------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1 && [ -z "${CLOSELOOP_CHROMIUM:-}" ]; then
	say "installing Chromium"
	apt_install chromium || true
fi

# --- Go -----------------------------------------------------------------------------
say "gofmt"
unformatted=$(gofmt -l cmd internal)
if [ -n "$unformatted" ]; then
	echo "gofmt would change:" >&2
	echo "$unformatted" >&2
	exit 1
fi
say "go vet"
go vet ./...
say "go test (SQLite + PostgreSQL + Chromium)"
go test -count=1 -timeout 25m ./...
