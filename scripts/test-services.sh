#!/usr/bin/env bash
# test-services.sh — start/stop local test database servers for dt's tests.
#
#   scripts/test-services.sh [up [KIND...]]     start the servers (idempotent; installs what is missing)
#   scripts/test-services.sh status [KIND...]   print up/down per server; exit 0 only if all are up
#   scripts/test-services.sh down [--wipe]      stop all servers (--wipe also deletes the state dir)
#
# KIND is mysql, pg or mongo; without one, every kind. `up mysql` starts only the two MariaDB
# servers, so it needs no secantusd-rs (whose `cargo install` takes about ten minutes).
#
# Servers (all on loopback, source/target pairs):
#   MariaDB      mysql://root@127.0.0.1:3307             mysql://root@127.0.0.1:3308
#   PostgreSQL   postgres://postgres@127.0.0.1:5433/postgres  postgres://postgres@127.0.0.1:5434/postgres
#   secantusd-rs mongodb://127.0.0.1:27017               mongodb://127.0.0.1:27018   (MongoDB wire protocol)
#
# All data, logs, sockets and pid files live in $DT_SERVICES_DIR (default /tmp/dt-test-services),
# never inside the repo. The system servers on 3306/5432 are not touched. Meant to run as root on
# Debian 12 (postgres is run as OS user "postgres"); also works as a normal user if all is installed.
set -euo pipefail

STATE=$(realpath -m "${DT_SERVICES_DIR:-/tmp/dt-test-services}")
MYSQL_PORTS=(3307 3308)
PG_PORTS=(5433 5434)
MONGO_PORTS=(27017 27018)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
SECANTUS_CRATE=secantus-mdb
SECANTUS_VERSION=0.5.3-beta.196
WAIT_SECS=${DT_SERVICES_WAIT:-60}
export PATH="$PATH:/usr/sbin:${CARGO_HOME:-$HOME/.cargo}/bin" PGCONNECT_TIMEOUT=3

log() { echo "[test-services] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
is_root() { [[ $EUID -eq 0 ]]; }

# apt-get install only when needed; `apt-get update` only if the first attempt fails.
apt_install() {
  is_root || die "need root to apt-get install $*"
  log "installing $* via apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y "$@" >/dev/null || { apt-get update >/dev/null && apt-get install -y "$@" >/dev/null; }
}

# wait_for NAME LOGFILE PIDFILE CHECK...: poll CHECK until it succeeds, fail early if the process died.
wait_for() {
  local name=$1 logfile=$2 pidfile=$3; shift 3
  local deadline=$((SECONDS + WAIT_SECS))
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS >= deadline )) || { [[ -s $pidfile ]] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
      log "$name did not become ready within ${WAIT_SECS}s (or exited); tail of $logfile:"
      tail -n 30 "$logfile" >&2 || true
      exit 1
    fi
    sleep 0.3
  done
}

# stop_pid NAME PIDFILE: SIGTERM, wait up to 30 s, then SIGKILL.
stop_pid() {
  local name=$1 pidfile=$2 pid i
  [[ -s $pidfile ]] && pid=$(cat "$pidfile") && kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
  kill "$pid"
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
  kill -0 "$pid" 2>/dev/null && { log "$name did not stop, killing"; kill -9 "$pid"; }
  rm -f "$pidfile"
}

# ---------------------------------------------------------------- MariaDB
my_sql() { mariadb --no-defaults -h127.0.0.1 -P"$1" -uroot --connect-timeout=3 -Nse "${2:-select 1}"; }
my_sock_sql() { mariadb --no-defaults -S "$STATE/mariadb-$1.sock" -uroot --connect-timeout=3 -Nse "$2"; }
my_up() {
  local port=$1 dir=$STATE/mariadb-$1
  my_sql "$port" >/dev/null 2>&1 && { log "mariadb :$port already up"; return 0; }
  command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null || apt_install mariadb-server
  local user=(); is_root && user=(--user=root)
  if [[ ! -d $dir/mysql ]]; then
    log "initializing mariadb datadir $dir"
    mkdir -p "$dir"
    mariadb-install-db --no-defaults --datadir="$dir" "${user[@]}" \
      --auth-root-authentication-method=normal --skip-test-db >"$dir.install.log" 2>&1 ||
      { tail -n 30 "$dir.install.log" >&2; die "mariadb-install-db failed for $dir"; }
  fi
  log "starting mariadb :$port"
  setsid nohup mariadbd --no-defaults --datadir="$dir" --port="$port" --socket="$dir.sock" \
    --pid-file="$dir.pid" "${user[@]}" --bind-address=127.0.0.1 --skip-name-resolve \
    --innodb-buffer-pool-size=2G --innodb-log-file-size=1G --innodb-flush-log-at-trx-commit=2 \
    --skip-log-bin --max-connections=500 --max-allowed-packet=256M \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    >>"$dir.log" 2>&1 </dev/null 9>&- &
  echo $! >"$dir.pid"
  wait_for "mariadb :$port" "$dir.log" "$dir.pid" my_sock_sql "$port" "select 1"
  if ! my_sql "$port" >/dev/null 2>&1; then   # make sure root may log in over TCP without a password
    log "granting root@127.0.0.1 TCP access on :$port"
    my_sock_sql "$port" "CREATE USER IF NOT EXISTS root@'127.0.0.1' IDENTIFIED BY '';
      GRANT ALL PRIVILEGES ON *.* TO root@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;"
  fi
  wait_for "mariadb :$port (tcp)" "$dir.log" "$dir.pid" my_sql "$port"
}
my_down() {
  local port=$1 dir=$STATE/mariadb-$1
  if my_sql "$port" >/dev/null 2>&1; then
    log "stopping mariadb :$port"
    mariadb-admin --no-defaults -h127.0.0.1 -P"$port" -uroot shutdown || true
  fi
  stop_pid "mariadb :$port" "$dir.pid"
}

# ---------------------------------------------------------------- PostgreSQL
as_pg() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_sql() { psql -X -qAt -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "${2:-select 1}"; }
# Password auth for one role (the rest is trust), so tests can check a wrong password.
PG_PW_LINE="host all dt_password_user 127.0.0.1/32 scram-sha-256"
pg_hba_ensure() {
  local dir=$1 port=$2
  [[ -s $dir/pg_hba.conf ]] && ! grep -qxF "$PG_PW_LINE" "$dir/pg_hba.conf" || return 0
  as_pg sed -i "1i $PG_PW_LINE" "$dir/pg_hba.conf"
  pg_sql "$port" >/dev/null 2>&1 && as_pg "$PG_BIN/pg_ctl" -D "$dir" reload >/dev/null || true
}
pg_up() {
  local port=$1 dir=$STATE/pg-$1 sock=$STATE/pg-sock
  pg_hba_ensure "$dir" "$port"
  pg_sql "$port" >/dev/null 2>&1 && { log "postgres :$port already up"; return 0; }
  [[ -x $PG_BIN/pg_ctl ]] || apt_install postgresql-15 || apt_install postgresql
  command -v psql >/dev/null && command -v pg_dump >/dev/null || apt_install postgresql-client
  mkdir -p "$sock"
  if is_root; then
    id postgres >/dev/null 2>&1 || die "OS user postgres is missing"
    chown postgres: "$sock"
    runuser -u postgres -- test -x "$STATE" || die "user postgres cannot enter $STATE; set DT_SERVICES_DIR"
  fi
  if [[ ! -s $dir/PG_VERSION ]]; then
    log "initializing postgres datadir $dir"
    mkdir -p "$dir"; is_root && chown postgres: "$dir"
    as_pg "$PG_BIN/initdb" -D "$dir" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir.install.log" 2>&1 ||
      { tail -n 30 "$dir.install.log" >&2; die "initdb failed for $dir"; }
    pg_hba_ensure "$dir" "$port"
  fi
  log "starting postgres :$port"
  touch "$dir.log"; is_root && chown postgres: "$dir.log"
  local try
  for try in 1 2 3; do   # retry: after a crash, dying backends may hold the datadir for a moment
    as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$dir.log" -w -t "$WAIT_SECS" start -o "-p $port -k $sock \
      -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
      -c max_connections=200 -c shared_buffers=256MB" >/dev/null 9>&- && break
    ((try < 3)) || { tail -n 30 "$dir.log" >&2; die "postgres :$port failed to start"; }
    sleep 2
  done
  wait_for "postgres :$port" "$dir.log" /dev/null pg_sql "$port"
}
pg_down() {
  local port=$1 dir=$STATE/pg-$1
  [[ -d $dir ]] && as_pg "$PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1 || return 0
  log "stopping postgres :$port"
  as_pg "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
}

# ---------------------------------------------------------------- secantusd-rs (MongoDB wire protocol)
# mongo_ping PORT: send OP_MSG {ping: 1, $db: "admin"} and expect a reply containing ok: 1.0.
mongo_ping() {
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1"
    printf "\x33\0\0\0\x01\0\0\0\0\0\0\0\xdd\x07\0\0\0\0\0\0\0\x1e\0\0\0\x10ping\0\x01\0\0\0\x02\$db\0\x06\0\0\0admin\0\0" >&3
    len=$(head -c 4 <&3 | od -An -tu4 | tr -d " ")
    head -c $((len - 4)) <&3 | od -An -v -tx1 | tr -d " \n" | grep -q "016f6b00000000000000f03f"' _ "$1"
}
secantus_bin() { command -v secantusd-rs; }   # PATH includes ~/.cargo/bin
secantus_install() {
  secantus_bin >/dev/null && return 0
  if pgrep -f "^[^ ]*cargo install $SECANTUS_CRATE" >/dev/null; then   # e.g. started by hand elsewhere
    log "a cargo install of $SECANTUS_CRATE is already running; waiting for it"
    while pgrep -f "^[^ ]*cargo install $SECANTUS_CRATE" >/dev/null; do sleep 5; done
    secantus_bin >/dev/null && return 0
  fi
  command -v cargo >/dev/null || die "cargo not found; install Rust (rustup) first"
  command -v cmake >/dev/null || apt_install cmake
  command -v cc >/dev/null || apt_install build-essential
  log "installing secantusd-rs: cargo install $SECANTUS_CRATE $SECANTUS_VERSION (takes ~10 min; log: $STATE/secantus-install.log)"
  cargo install "$SECANTUS_CRATE" --version "$SECANTUS_VERSION" --ignore-rust-version \
    >"$STATE/secantus-install.log" 2>&1 ||
    { tail -n 30 "$STATE/secantus-install.log" >&2; die "cargo install $SECANTUS_CRATE failed"; }
  secantus_bin >/dev/null || die "secantusd-rs still not found after install"
}
mongo_up() {
  local port=$1 dir=$STATE/secantus-$1
  mongo_ping "$port" 2>/dev/null && { log "secantusd-rs :$port already up"; return 0; }
  secantus_install
  mkdir -p "$dir"
  : >"$STATE/secantusd.toml"   # empty config: --config disables auto-discovery of ~/.secantus etc.
  log "starting secantusd-rs :$port"
  (cd "$STATE"; setsid nohup "$(secantus_bin)" --config "$STATE/secantusd.toml" --host 127.0.0.1 \
    --port "$port" --storage-path "$dir" --cache-size 512M >>"$dir.log" 2>&1 </dev/null 9>&- &
    echo $! >"$dir.pid")
  wait_for "secantusd-rs :$port" "$dir.log" "$dir.pid" mongo_ping "$port"
}
mongo_down() {
  [[ -s $STATE/secantus-$1.pid ]] && log "stopping secantusd-rs :$1"
  stop_pid "secantusd-rs :$1" "$STATE/secantus-$1.pid"
}

# ---------------------------------------------------------------- commands
ALL_KINDS=(mysql pg mongo)
KINDS=()
# select_kinds KIND...: the kinds a command works on, every kind when none is named.
select_kinds() {
  local k
  for k; do
    case $k in
      mysql | pg | mongo) KINDS+=("$k") ;;
      *) die "unknown server kind '$k' (expected mysql, pg or mongo)" ;;
    esac
  done
  ((${#KINDS[@]})) || KINDS=("${ALL_KINDS[@]}")
}
print_urls() {
  local k
  for k in "${KINDS[@]}"; do
    case $k in
      mysql) printf 'mysql://root@127.0.0.1:%s\n' "${MYSQL_PORTS[@]}" ;;
      pg) printf 'postgres://postgres@127.0.0.1:%s/postgres\n' "${PG_PORTS[@]}" ;;
      mongo) printf 'mongodb://127.0.0.1:%s\n' "${MONGO_PORTS[@]}" ;;
    esac
  done
}
with_lock() {   # serialize concurrent up/down runs (also guards the cargo install)
  mkdir -p "$STATE"; chmod 755 "$STATE"
  exec 9>"$STATE/.lock"   # servers are started with 9>&- so they do not inherit the lock
  flock -n 9 || { log "another test-services.sh run holds $STATE/.lock; waiting"; flock 9; }
}
cmd_up() {
  with_lock
  local k p
  for k in "${KINDS[@]}"; do
    case $k in
      mysql) for p in "${MYSQL_PORTS[@]}"; do my_up "$p"; done ;;
      pg) for p in "${PG_PORTS[@]}"; do pg_up "$p"; done ;;
      mongo) for p in "${MONGO_PORTS[@]}"; do mongo_up "$p"; done ;;
    esac
  done
  log "servers up: ${KINDS[*]} (state dir: $STATE)"
  print_urls
}
cmd_down() {
  with_lock
  local p
  for p in "${MYSQL_PORTS[@]}"; do my_down "$p"; done
  for p in "${PG_PORTS[@]}"; do pg_down "$p"; done
  for p in "${MONGO_PORTS[@]}"; do mongo_down "$p"; done
  if [[ ${1:-} == --wipe ]]; then log "wiping $STATE"; rm -rf "$STATE"; fi
}
cmd_status() {
  local ok=0 url state p
  while read -r url; do
    case $url in
      mysql://*) my_sql "${url##*:}" >/dev/null 2>&1 && state=up || state=down ;;
      postgres://*) p=${url##*:}; pg_sql "${p%%/*}" >/dev/null 2>&1 && state=up || state=down ;;
      mongodb://*) mongo_ping "${url##*:}" 2>/dev/null && state=up || state=down ;;
    esac
    [[ $state == up ]] || ok=1
    printf '%-5s %s\n' "$state" "$url"
  done < <(print_urls)
  return "$ok"
}

command=${1:-up}
(($#)) && shift
case $command in
  up) select_kinds "$@"; cmd_up ;;
  down) cmd_down "${1:-}" ;;
  status) select_kinds "$@"; cmd_status ;;
  -h | --help | help) sed -n '2,/^set /p' "$0" | grep '^#' | sed 's/^# \{0,1\}//' ;;
  *) die "usage: $0 [up [mysql|pg|mongo]...|down [--wipe]|status [mysql|pg|mongo]...]" ;;
esac
