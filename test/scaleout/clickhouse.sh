#!/usr/bin/env bash
# A two-shard ClickHouse cluster on 127.0.0.1 for the scale-out tests (issue 13):
# two clickhouse-server processes (one replica per shard), no ZooKeeper.
#
#   test/scaleout/clickhouse.sh start DIR BASEPORT
#   test/scaleout/clickhouse.sh stop  DIR
#
# Ports: native TCP BASEPORT and BASEPORT+1, HTTP BASEPORT+10 and +11,
# interserver HTTP BASEPORT+20 and +21; all on 127.0.0.1 only.
# Each shard keeps its config, data, logs and temporary files in DIR/shardN.
#
# start installs Debian's clickhouse-server and clickhouse-client with apt when
# clickhouse-server is missing, runs the servers as the `clickhouse` user when
# it exists (the Debian package creates it; 18.16 itself would also run as
# root), waits until both answer SELECT 1, and prints on stdout, ready for eval:
#   export RECKON_TEST_CLICKHOUSE='clickhouse://127.0.0.1:BASEPORT?cluster=reckon'
#   export RECKON_CLICKHOUSE_SHARDS='127.0.0.1:BASEPORT,127.0.0.1:BASEPORT+1'
#   export RECKON_CLICKHOUSE_HTTP='127.0.0.1:BASEPORT+10'   (shard 1's HTTP interface)
# Everything else goes to stderr. stop is idempotent: it stops whatever of
# the two servers still runs and succeeds when nothing does.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
log() { echo "clickhouse.sh: $*" >&2; }
die() { log "$*"; exit 1; }

usage() { die "usage: $0 start DIR BASEPORT | stop DIR"; }

[ $# -ge 2 ] || usage
cmd=$1
dir=$2

# pid_of SHARD_DIR: the server's pid if it runs, else nothing.
pid_of() {
  local pidfile=$1/clickhouse-server.pid pid
  [ -s "$pidfile" ] || return 0
  pid=$(tr -dc 0-9 <"$pidfile")
  [ -n "$pid" ] || return 0
  # The pid must still be this shard's server, not a recycled pid.
  if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$1/config.xml"; then
    echo "$pid"
  fi
}

stop_shard() {
  local sdir=$1 pid
  pid=$(pid_of "$sdir")
  if [ -z "$pid" ]; then
    rm -f "$sdir/clickhouse-server.pid"
    return 0
  fi
  log "stopping $(basename "$sdir") (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do
    [ -d "/proc/$pid" ] || break
    sleep 0.2
  done
  if [ -d "/proc/$pid" ]; then
    log "$(basename "$sdir") still runs after 30 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$sdir/clickhouse-server.pid"
}

case $cmd in
stop)
  [ -d "$dir" ] || exit 0
  dir=$(cd "$dir" && pwd)
  for n in 1 2; do stop_shard "$dir/shard$n"; done
  exit 0
  ;;
start)
  [ $# -eq 3 ] || usage
  base=$3
  case $base in '' | *[!0-9]*) die "BASEPORT must be a number, not '$base'" ;; esac
  [ "$base" -ge 1024 ] && [ "$base" -le 65500 ] || die "BASEPORT must be in 1024..65500"
  ;;
*) usage ;;
esac

if ! command -v clickhouse-server >/dev/null || ! command -v clickhouse-client >/dev/null; then
  log "installing Debian's clickhouse-server and clickhouse-client"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # The package's postinst tries to start the system service; in a container
  # without an init that fails harmlessly ("policy-rc.d denied execution").
  apt-get install -y -qq clickhouse-server clickhouse-client >&2
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

runas=()
owner=
if [ "$(id -u)" = 0 ] && id clickhouse >/dev/null 2>&1; then
  runas=(runuser -u clickhouse --)
  owner=clickhouse:clickhouse
  # The clickhouse user must be able to reach DIR (mktemp -d makes it 0700).
  chmod a+x "$dir"
  if ! runuser -u clickhouse -- test -x "$dir"; then
    die "the clickhouse user cannot reach $dir (a parent folder is closed to it); use a folder under /tmp"
  fi
fi

p1=$base
p2=$((base + 1))
for n in 1 2; do
  sdir=$dir/shard$n
  if [ -n "$(pid_of "$sdir")" ]; then
    log "shard$n already runs (pid $(pid_of "$sdir")); leaving it"
    continue
  fi
  mkdir -p "$sdir"/{data,log,tmp,user_files,format_schemas}
  sed -e "s|@DIR@|$sdir|g" \
      -e "s|@TCP_PORT@|$((base + n - 1))|g" \
      -e "s|@HTTP_PORT@|$((base + 10 + n - 1))|g" \
      -e "s|@INTERSERVER_PORT@|$((base + 20 + n - 1))|g" \
      -e "s|@SHARD1_PORT@|$p1|g" \
      -e "s|@SHARD2_PORT@|$p2|g" \
      -e "s|@SHARD@|0$n|g" \
      -e "s|@REPLICA@|replica1|g" \
      -e "s|@USERS@|$sdir/users.xml|g" \
      "$here/clickhouse-config.xml.in" >"$sdir/config.xml"
  cp "$here/clickhouse-users.xml" "$sdir/users.xml"
  if [ -n "$owner" ]; then chown -R "$owner" "$sdir"; fi
  log "starting shard$n: native 127.0.0.1:$((base + n - 1)), http $((base + 10 + n - 1)), interserver $((base + 20 + n - 1))"
  # --daemon forks, detaches and writes the pid file (the server's own pid);
  # the daemon then sends its stdout and stderr to log/stdout.log and
  # log/stderr.log itself.
  "${runas[@]}" clickhouse-server --config-file="$sdir/config.xml" \
    --pid-file="$sdir/clickhouse-server.pid" --daemon \
    >"$sdir/launch.log" 2>&1 </dev/null
done

for n in 1 2; do
  port=$((base + n - 1))
  sdir=$dir/shard$n
  ok=
  for _ in $(seq 1 150); do
    if clickhouse-client --host 127.0.0.1 --port "$port" -q 'SELECT 1' >/dev/null 2>&1; then
      ok=1
      break
    fi
    sleep 0.2
  done
  if [ -z "$ok" ]; then
    log "shard$n did not answer on 127.0.0.1:$port within 30 s; its logs:"
    tail -n 30 "$sdir/launch.log" "$sdir/log/stderr.log" "$sdir/log/clickhouse-server.err.log" >&2 2>/dev/null || true
    for m in 1 2; do stop_shard "$dir/shard$m"; done
    exit 1
  fi
done

# Both servers must see the whole cluster.
for n in 1 2; do
  port=$((base + n - 1))
  shards=$(clickhouse-client --host 127.0.0.1 --port "$port" -q "SELECT count() FROM system.clusters WHERE cluster = 'reckon'")
  [ "$shards" = 2 ] || die "shard$n sees $shards shards in cluster reckon, not 2"
done

log "cluster reckon is up: shards 127.0.0.1:$p1 and 127.0.0.1:$p2 ($(clickhouse-client --host 127.0.0.1 --port "$p1" -q 'SELECT version()'))"
echo "export RECKON_TEST_CLICKHOUSE='clickhouse://127.0.0.1:$p1?cluster=reckon'"
echo "export RECKON_CLICKHOUSE_SHARDS='127.0.0.1:$p1,127.0.0.1:$p2'"
echo "export RECKON_CLICKHOUSE_HTTP='127.0.0.1:$((base + 10))'"
