#!/usr/bin/env bash
# A PostgreSQL server on 127.0.0.1 for the scale-out tests (issue 13): Debian's
# PostgreSQL (15 here), a fresh cluster in a folder, the `reckon` database and
# role.
#
#   test/scaleout/postgres.sh start DIR PORT
#   test/scaleout/postgres.sh stop  DIR
#
# The server refuses to run as root, so initdb and pg_ctl run as the
# `postgres` user (runuser) when this script runs as root.
#
# Authentication: the server listens on 127.0.0.1 only. TCP connections need
# a password (scram-sha-256, as a deployment would); the Unix socket, in
# DIR/socket, lets in only the operating-system user `postgres` as the
# database superuser `postgres` (peer), which this script uses to create the
# role. The role `reckon` gets a random password (kept in DIR/reckon.password),
# owns the database `reckon` and may create databases (CREATEDB), so that
# tests can make a fresh database each; it is not a superuser.
#
# start waits until pg_isready answers and prints on stdout, ready for eval:
#   export RECKON_TEST_POSTGRES='postgres://reckon:PASSWORD@127.0.0.1:PORT/reckon?sslmode=disable'
# Everything else goes to stderr. A second start on the same DIR reuses the
# cluster (and its password). stop is idempotent.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }
die() { log "$*"; exit 1; }
usage() { die "usage: $0 start DIR PORT | stop DIR"; }

[ $# -ge 2 ] || usage
cmd=$1
dir=$2

pgbin=${PGBIN:-}
if [ -z "$pgbin" ]; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ -z "$pgbin" ] || [ ! -x "$pgbin/pg_ctl" ]; then
  pgbin=$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")
fi
[ -x "$pgbin/pg_ctl" ] || die "no PostgreSQL server binaries (looked in /usr/lib/postgresql/*/bin and PATH); apt-get install postgresql"

runas=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root but there is no postgres user to run the server as"
  runas=(runuser -u postgres --)
fi

case $cmd in
stop)
  [ -d "$dir" ] || exit 0
  dir=$(cd "$dir" && pwd)
  if [ -f "$dir/data/postmaster.pid" ]; then
    log "stopping the server in $dir/data"
    "${runas[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2 ||
      log "pg_ctl stop failed (the server may already be gone)"
  fi
  exit 0
  ;;
start)
  [ $# -eq 3 ] || usage
  port=$3
  case $port in '' | *[!0-9]*) die "PORT must be a number, not '$port'" ;; esac
  ;;
*) usage ;;
esac

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ ${#runas[@]} -gt 0 ]; then
  chmod a+x "$dir" # mktemp -d makes it 0700
  "${runas[@]}" test -x "$dir" || die "the postgres user cannot reach $dir (a parent folder is closed to it); use a folder under /tmp"
  mkdir -p "$dir/data" "$dir/socket"
  chown postgres: "$dir/data" "$dir/socket"
else
  mkdir -p "$dir/data" "$dir/socket"
fi
chmod 0700 "$dir/data"

if [ ! -s "$dir/data/PG_VERSION" ]; then
  log "initdb in $dir/data ($("$pgbin/postgres" --version))"
  "${runas[@]}" "$pgbin/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C \
    --auth-local=peer --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }
fi

if "${runas[@]}" "$pgbin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  log "the server in $dir/data already runs"
else
  log "starting PostgreSQL on 127.0.0.1:$port (socket in $dir/socket)"
  # listen_addresses and the socket folder on the command line: the cluster
  # never listens beyond the loopback interface, nor in /var/run/postgresql.
  "${runas[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2 || { tail -n 30 "$dir/data/server.log" >&2 || true; die "the server did not start"; }
fi

ready=
for _ in $(seq 1 150); do
  if pg_isready -q -h 127.0.0.1 -p "$port" -d postgres; then
    ready=1
    break
  fi
  sleep 0.2
done
[ -n "$ready" ] || { tail -n 30 "$dir/data/server.log" >&2 || true; die "pg_isready: no answer on 127.0.0.1:$port"; }

pwfile=$dir/reckon.password
if [ ! -s "$pwfile" ]; then
  (umask 077 && head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$pwfile")
fi
password=$(cat "$pwfile")

psql_admin() {
  "${runas[@]}" "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/socket" -p "$port" -U postgres -d postgres "$@"
}
psql_admin -v pw="$password" >&2 <<'SQL'
SELECT format('CREATE ROLE reckon LOGIN CREATEDB PASSWORD %L', :'pw')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'reckon') \gexec
SELECT format('ALTER ROLE reckon LOGIN CREATEDB PASSWORD %L', :'pw') \gexec
SELECT 'CREATE DATABASE reckon OWNER reckon ENCODING ''UTF8'' TEMPLATE template0'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'reckon') \gexec
SQL

url="postgres://reckon:$password@127.0.0.1:$port/reckon?sslmode=disable"
# The URL works over TCP with the password, as Reckon will use it.
version=$(PGPASSWORD=$password "$pgbin/psql" -X -q -At -h 127.0.0.1 -p "$port" -U reckon -d reckon \
  -c 'SHOW server_version') || die "cannot connect as reckon over TCP"
log "PostgreSQL $version is up on 127.0.0.1:$port"
echo "export RECKON_TEST_POSTGRES='$url'"
