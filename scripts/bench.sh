#!/usr/bin/env bash
# Benchmark of dt against the peers a user would pick instead, on the same data and machine:
#   MySQL  dt  vs  mydumper -t 2 -r 100000 + myloader -t 2 (tables split into row chunks)
#   PG     dt  vs  pgcopydb copy table-data --table-jobs 2 --split-tables-larger-than 50MB
#   pgclone  dt with_structures=true (schema, rows, indexes) into an empty database  vs
#          pgcopydb clone --table-jobs 2 --index-jobs 2 --split-tables-larger-than 50MB
#   myclone  dt with_structures=true into a server without the database  vs  mydumper -t 2
#          -r 100000 with its schema files + myloader -t 2
#          (pgclone and myclone also time the target alone loading the same rows from local
#          files over two connections, then building the keys: the floor for any tool; and
#          pg and pgclone the source and target alone, two psql COPY TO | COPY FROM pipes;
#          mysql reports myloader's load alone, the target taking mydumper's files; mysql and
#          myclone also print the CPU seconds the target, the source and the tool used)
#   Mongo  dt  vs  a single-threaded pymongo copy, and a batched insertMany of the same
#          documents from memory; both then build the source's index on k, as dt does
# Data: sysbench-shaped tables (id int PK, k int indexed, c char(120), pad char(60)),
# BENCH_TABLES x BENCH_ROWS (default 4 x 250,000); the same shape as documents for Mongo.
# dt runs BENCH_REPEAT times (default 2) with positions recorded every second and as many
# every hour, and each peer BENCH_REPEAT times; the best of each is kept. Prints rows/s,
# wall time, dt's peak RSS and the ratio dt / peer; checks row counts after every run.
#   bash scripts/bench.sh [mysql] [pg] [mongo] [pgclone] [myclone] [many] [rss]   (default: mysql pg mongo)
# `rss` copies one MySQL table of BENCH_BIG_ROWS (default 5,000,000) rows to show that dt's
# peak memory does not grow with table size. `many` copies thousands of 3-row tables.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TABLES=${BENCH_TABLES:-4}
ROWS=${BENCH_ROWS:-250000}
WORK=${BENCH_DIR:-/tmp/dt-bench}
PATHS=("$@"); [[ ${#PATHS[@]} -gt 0 ]] || PATHS=(mysql pg mongo)
TOTAL=$((TABLES * ROWS))

bash scripts/ensure-toolchain.sh
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
need() { command -v "$1" >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y "$2" >/dev/null || { apt-get update >/dev/null && apt-get install -y "$2" >/dev/null; }; }; }
need mydumper mydumper; need pgcopydb pgcopydb; need sysbench sysbench; [[ -x /usr/bin/time ]] || need /usr/bin/time time
python3 -c 'import pymongo' 2>/dev/null || pip install -q pymongo
bash scripts/test-services.sh up >/dev/null
cargo build --release -p dt-main >/dev/null 2>&1 || cargo build --release -p dt-main
DT="$ROOT/target/release/dt-main"
mkdir -p "$WORK"
RESULTS="$WORK/results.txt"; : > "$RESULTS"

MY_SRC=(mariadb -h127.0.0.1 -P3307 -uroot); MY_DST=(mariadb -h127.0.0.1 -P3308 -uroot)
PG_SRC=(psql -X -qAt -h 127.0.0.1 -p 5433 -U postgres); PG_DST=(psql -X -qAt -h 127.0.0.1 -p 5434 -U postgres)

# server_cpu PORT: CPU seconds (user + system) the MariaDB server on PORT has used so far.
server_cpu() {
  local pid; pid=$(cat "${DT_SERVICES_DIR:-/tmp/dt-test-services}/mariadb-$1.pid" 2>/dev/null) || { echo 0; return; }
  awk '{ print ($14 + $15) / 100 }' "/proc/$pid/stat" 2>/dev/null || echo 0
}
# timed LABEL CMD...: runs CMD, records wall seconds and peak RSS (KiB) of CMD and children,
# and the CPU seconds of CMD (TOOL_CPU) and of the MariaDB source and target (SRC_CPU, TGT_CPU).
timed() { try_timed "$@" || { cat "$WORK/$1.out" >&2; echo "$1 failed" >&2; exit 1; }; }
# try_timed LABEL CMD...: timed, but returns CMD's failure instead of stopping the bench.
try_timed() {
  local label=$1 src0 tgt0 user sys; shift
  src0=$(server_cpu 3307); tgt0=$(server_cpu 3308)
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.txt" "$@" > "$WORK/$label.out" 2>&1 || return
  read -r SECS RSS user sys < "$WORK/time.txt"
  TOOL_CPU=$(echo "$user + $sys" | bc -l)
  SRC_CPU=$(echo "$(server_cpu 3307) - $src0" | bc -l); TGT_CPU=$(echo "$(server_cpu 3308) - $tgt0" | bc -l)
}
# cpu_report PATH LABEL SECS "TARGET SOURCE TOOL": where the CPU of one timed run went, in
# core-seconds, and how many of the machine's cores the three kept busy on average.
cpu_report() {
  local tgt src tool; read -r tgt src tool <<< "$4"
  printf '%-6s %-34s target %5.2f  source %5.2f  tool %5.2f core-s, %4.2f cores busy\n' "$1" "CPU: $2" \
    "$tgt" "$src" "$tool" "$(echo "($tgt + $src + $tool) / $3" | bc -l)" | tee -a "$RESULTS"
}
report() { # report PATH TOOL SECS RSS_KIB
  printf '%-6s %-34s %8.2f s %10.0f rows/s %8s\n' "$1" "$2" "$3" "$(echo "$TOTAL / $3" | bc -l)" "$( [[ $4 == - ]] && echo - || echo "$(( $4 / 1024 )) MB")" | tee -a "$RESULTS"
}
lesser() { if [[ -z $1 ]] || (( $(echo "$2 < $1" | bc) )); then echo "$2"; else echo "$1"; fi; }
ratio() { printf '%-6s %-34s %8.2f\n' "$1" "dt / $2" "$(echo "$3 / $4" | bc -l)" | tee -a "$RESULTS"; }
# best_of PREPARE LOAD CHECK: the best wall time of REPEAT runs of LOAD, each after PREPARE
# and before CHECK (neither timed); sets SECS.
best_of() {
  local best= start secs
  for _ in $(seq 1 "$REPEAT"); do
    "$1"; start=$(date +%s.%N)
    "$2"; secs=$(echo "$(date +%s.%N) - $start" | bc -l)
    "$3"; best=$(lesser "$best" "$secs")
  done
  SECS=$best
}

# dt runs alternate between the two checkpoint intervals, REPEAT times each, and the best
# time of each is kept, so that neither gets the colder or warmer servers. On MySQL the
# peer's run follows each dt run with positions every second: the speed of this machine's
# cores drifts by up to a fifth within minutes, and taking turns puts the drift on both.
REPEAT=${BENCH_REPEAT:-2}
INTERVALS=(); for _ in $(seq 1 "$REPEAT"); do INTERVALS+=(3600 1); done
keep_best() { # uses $interval, $SECS, $RSS; sets dt1/rss1/cpu1 or dt3600/rss3600 (locals of the caller)
  if [[ $interval == 1 ]]; then
    if [[ -z ${dt1:-} ]] || (( $(echo "$SECS < $dt1" | bc) )); then dt1=$SECS; cpu1="$TGT_CPU $SRC_CPU $TOOL_CPU"; fi
    if [[ -z ${rss1:-} ]] || (( RSS > rss1 )); then rss1=$RSS; fi
  else
    if [[ -z ${dt3600:-} ]] || (( $(echo "$SECS < $dt3600" | bc) )); then dt3600=$SECS; fi
    if [[ -z ${rss3600:-} ]] || (( RSS > rss3600 )); then rss3600=$RSS; fi
  fi
}

dt_config() { # dt_config DB SRC DST INTERVAL FILTER [EXTRACTOR_LINE]
  cat > "$WORK/$1.ini" <<INI
[extractor]
db_type=$1
url=$2
${6:-}
[sinker]
db_type=$1
url=$3
[filter]
do_dbs=$5
[pipeline]
checkpoint_interval_secs=$4
[runtime]
log_dir=$WORK/logs-$1-$4
INI
  rm -rf "$WORK/logs-$1-$4"
}

# ---------------------------------------------------------------- MySQL
bench_mysql() {
  echo "== MySQL: preparing $TABLES x $ROWS rows"
  "${MY_SRC[@]}" -e "DROP DATABASE IF EXISTS bench_db; CREATE DATABASE bench_db"
  sysbench oltp_common --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port=3307 --mysql-user=root --mysql-db=bench_db \
    --tables="$TABLES" --table-size="$ROWS" --threads=2 prepare >/dev/null
  reset_mysql() {
    { echo "DROP DATABASE IF EXISTS bench_db; CREATE DATABASE bench_db; USE bench_db;"
      for t in $(seq 1 "$TABLES"); do "${MY_SRC[@]}" -N -e "SHOW CREATE TABLE bench_db.sbtest$t" | cut -f2- | sed 's/\\n/\n/g'; echo ";"; done
    } | "${MY_DST[@]}"
  }
  check_mysql() {
    local n; n=$("${MY_DST[@]}" -N -e "SELECT SUM(c) FROM (SELECT COUNT(*) c FROM bench_db.sbtest1 $(for t in $(seq 2 "$TABLES"); do echo "UNION ALL SELECT COUNT(*) FROM bench_db.sbtest$t"; done)) x")
    [[ $n == "$TOTAL" ]] || { echo "MySQL target has $n rows, expected $TOTAL" >&2; exit 1; }
  }
  local dt1= dt3600= rss1= rss3600= cpu1= peer= load= cpu_load=
  peer_mysql() {
    reset_mysql
    rm -rf "$WORK/mydumper"
    timed mydumper mydumper -h 127.0.0.1 -P 3307 -u root -B bench_db -t 2 -r 100000 -o "$WORK/mydumper"; local dump=$SECS
    # myloader -t 2 now and then stops on a deadlock between its own threads: one more go.
    try_timed myloader myloader -h 127.0.0.1 -P 3308 -u root -B bench_db -t 2 -d "$WORK/mydumper" -o ||
      { tail -n 2 "$WORK/myloader.out" >&2; reset_mysql; timed myloader myloader -h 127.0.0.1 -P 3308 -u root -B bench_db -t 2 -d "$WORK/mydumper" -o; }
    check_mysql; peer=$(lesser "$peer" "$(echo "$dump + $SECS" | bc -l)")
    [[ $(lesser "$load" "$SECS") == "$load" ]] || { load=$SECS; cpu_load="$TGT_CPU 0 $TOOL_CPU"; }
  }
  # dt and the peer take turns, so that a drift of the machine's speed reaches both.
  for interval in "${INTERVALS[@]}"; do
    reset_mysql
    dt_config mysql mysql://root@127.0.0.1:3307 mysql://root@127.0.0.1:3308 "$interval" bench_db
    timed "dt-mysql-$interval" "$DT" "$WORK/mysql.ini"; check_mysql
    keep_best
    [[ $interval != 1 ]] || peer_mysql
  done
  report mysql "dt (checkpoint every 1s)" "$dt1" "$rss1"
  report mysql "dt (checkpoint every 3600s)" "$dt3600" "$rss3600"
  report mysql "mydumper -t 2 -r 100000 + myloader -t 2" "$peer" -
  ratio mysql "mydumper+myloader" "$dt1" "$peer"
  # myloader alone feeds the target mydumper's files over two connections: the target only.
  report mysql "target only: myloader -t 2 alone" "$load" -
  ratio mysql "target only" "$dt1" "$load"
  cpu_report mysql "dt (every 1s)" "$dt1" "$cpu1"
  cpu_report mysql "myloader alone" "$load" "$cpu_load"
  ratio mysql "dt (every 3600s)" "$dt1" "$dt3600"
}

# ---------------------------------------------------------------- PostgreSQL
# pg_half I: the condition of half I (0 or 1) of a table by id, as the floors below split it.
pg_half() { local half=$(((ROWS + 1) / 2)); if [[ $1 == 0 ]]; then echo "id <= $half"; else echo "id > $half"; fi; }

# The source and the target alone: each table's halves piped from a psql COPY TO into a psql
# COPY FROM (binary), two pipes at once; the client does nothing but pass the bytes on.
pg_pipes() {
  local i t
  for i in 0 1; do
    (for t in $(seq 1 "$TABLES"); do
      "${PG_SRC[@]}" -d bench -c "COPY (SELECT * FROM sbtest$t WHERE $(pg_half $i)) TO STDOUT (FORMAT binary)" |
        "${PG_DST[@]}" -d bench -c "COPY sbtest$t FROM STDIN (FORMAT binary)"
    done) &
  done
  wait
}

# The target alone, from files: pg_halves_to_files writes each table's halves into two binary
# COPY files under $PG_FILES; pg_load_files loads them by two psql sessions at once.
PG_FILES="$WORK/pg-floor"
pg_halves_to_files() {
  local i t
  rm -rf "$PG_FILES"; mkdir -p "$PG_FILES"; chmod 777 "$PG_FILES"
  for t in $(seq 1 "$TABLES"); do
    for i in 0 1; do
      "${PG_SRC[@]}" -d bench -c "\\copy (SELECT * FROM sbtest$t WHERE $(pg_half $i)) TO '$PG_FILES/$t.$i' (FORMAT binary)"
    done
  done
}
pg_load_files() {
  local i t
  for i in 0 1; do
    (for t in $(seq 1 "$TABLES"); do echo "\\copy sbtest$t FROM '$PG_FILES/$t.$i' (FORMAT binary)"; done | "${PG_DST[@]}" -d bench) &
  done
  wait
}

# The target alone as dt fills it: the same files into the tables without their k indexes,
# which are then built two at a time (dt builds a table's plain secondary indexes after its
# rows when the table starts empty).
reset_pg_without_k() { reset_pg; local t; for t in $(seq 1 "$TABLES"); do "${PG_DST[@]}" -d bench -c "DROP INDEX k_$t"; done; }
pg_load_files_then_k() {
  pg_load_files
  seq 1 "$TABLES" | xargs -P 2 -I{} "${PG_DST[@]}" -d bench -c 'CREATE INDEX k_{} ON sbtest{} (k)'
}

bench_pg() {
  echo "== PostgreSQL: preparing $TABLES x $ROWS rows"
  for p in SRC DST; do
    local -n c="PG_$p"; "${c[@]}" -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
  done
  sysbench oltp_common --db-driver=pgsql --pgsql-host=127.0.0.1 --pgsql-port=5433 --pgsql-user=postgres --pgsql-db=bench \
    --tables="$TABLES" --table-size="$ROWS" --threads=2 prepare >/dev/null
  "${PG_SRC[@]}" -d bench -c "VACUUM ANALYZE"
  reset_pg() {
    "${PG_DST[@]}" -d bench -c "DROP SCHEMA public CASCADE" -c "CREATE SCHEMA public"
    pg_dump -h 127.0.0.1 -p 5433 -U postgres --schema-only bench | "${PG_DST[@]}" -d bench >/dev/null
  }
  check_pg() {
    local n; n=$("${PG_DST[@]}" -d bench -c "SELECT $(for t in $(seq 1 "$TABLES"); do echo -n "(SELECT COUNT(*) FROM sbtest$t) + "; done) 0")
    [[ $n == "$TOTAL" ]] || { echo "PG target has $n rows, expected $TOTAL" >&2; exit 1; }
  }
  local dt1= dt3600= rss1= rss3600= peer=
  for interval in "${INTERVALS[@]}"; do
    reset_pg
    dt_config pg postgres://postgres@127.0.0.1:5433/bench postgres://postgres@127.0.0.1:5434/bench "$interval" public
    timed "dt-pg-$interval" "$DT" "$WORK/pg.ini"; check_pg
    keep_best
  done
  report pg "dt (checkpoint every 1s)" "$dt1" "$rss1"
  report pg "dt (checkpoint every 3600s)" "$dt3600" "$rss3600"
  for _ in $(seq 1 "$REPEAT"); do
    reset_pg
    rm -rf "$WORK/pgcopydb"
    timed pgcopydb pgcopydb copy table-data --table-jobs 2 --split-tables-larger-than 50MB --dir "$WORK/pgcopydb" \
      --source postgres://postgres@127.0.0.1:5433/bench --target postgres://postgres@127.0.0.1:5434/bench
    check_pg; peer=$(lesser "$peer" "$SECS")
  done
  report pg "pgcopydb -j 2 --split-tables-larger-than 50MB" "$peer" -
  ratio pg "pgcopydb" "$dt1" "$peer"
  best_of reset_pg pg_pipes check_pg; local pipe=$SECS
  report pg "source + target only: 2 psql pipes" "$pipe" -
  ratio pg "source + target only" "$dt1" "$pipe"
  pg_halves_to_files
  best_of reset_pg pg_load_files check_pg; local floor=$SECS
  report pg "target only: 2 psql COPY from files" "$floor" -
  ratio pg "target only" "$dt1" "$floor"
  best_of reset_pg_without_k pg_load_files_then_k check_pg; local later=$SECS
  report pg "target only, k indexes after the rows" "$later" -
  ratio pg "target only, indexes after" "$dt1" "$later"
  ratio pg "dt (every 3600s)" "$dt1" "$dt3600"
}

# ---------------------------------------------------------------- PostgreSQL, whole database
# The schema too, into an empty database: dt with_structures=true against pgcopydb clone, both
# creating tables before the rows and indexes after them.
bench_pgclone() {
  echo "== PostgreSQL clone: preparing $TABLES x $ROWS rows"
  "${PG_SRC[@]}" -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
  sysbench oltp_common --db-driver=pgsql --pgsql-host=127.0.0.1 --pgsql-port=5433 --pgsql-user=postgres --pgsql-db=bench \
    --tables="$TABLES" --table-size="$ROWS" --threads=2 prepare >/dev/null
  "${PG_SRC[@]}" -d bench -c "VACUUM ANALYZE"
  empty_target() { "${PG_DST[@]}" -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"; }
  check_clone() {
    local n; n=$("${PG_DST[@]}" -d bench -c "SELECT $(for t in $(seq 1 "$TABLES"); do echo -n "(SELECT COUNT(*) FROM sbtest$t) + "; done) 0")
    [[ $n == "$TOTAL" ]] || { echo "PG target has $n rows, expected $TOTAL" >&2; exit 1; }
    local i; i=$("${PG_DST[@]}" -d bench -c "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = 'public'")
    [[ $i == "$((TABLES * 2))" ]] || { echo "PG target has $i indexes, expected $((TABLES * 2))" >&2; exit 1; }
  }
  local dt1= dt3600= rss1= rss3600= peer=
  for interval in "${INTERVALS[@]}"; do
    empty_target
    dt_config pg postgres://postgres@127.0.0.1:5433/bench postgres://postgres@127.0.0.1:5434/bench "$interval" public with_structures=true
    timed "dt-pgclone-$interval" "$DT" "$WORK/pg.ini"; check_clone
    keep_best
  done
  report pgclone "dt with_structures (every 1s)" "$dt1" "$rss1"
  report pgclone "dt with_structures (every 3600s)" "$dt3600" "$rss3600"
  for _ in $(seq 1 "$REPEAT"); do
    empty_target
    rm -rf "$WORK/pgcopydb"
    timed pgcopydb-clone pgcopydb clone --table-jobs 2 --index-jobs 2 --split-tables-larger-than 50MB --no-owner --no-acl \
      --dir "$WORK/pgcopydb" --source postgres://postgres@127.0.0.1:5433/bench --target postgres://postgres@127.0.0.1:5434/bench
    check_clone; peer=$(lesser "$peer" "$SECS")
  done
  report pgclone "pgcopydb clone -j 2 --index-jobs 2" "$peer" -
  ratio pgclone "pgcopydb clone" "$dt1" "$peer"
  local d="$PG_FILES"
  pg_halves_to_files
  pg_dump -h 127.0.0.1 -p 5433 -U postgres --section=pre-data --no-owner --no-acl bench > "$d/pre.sql"
  bare_target() { empty_target; "${PG_DST[@]}" -d bench -f "$d/pre.sql" >/dev/null; }
  keys() {
    local t
    for t in $(seq 1 "$TABLES"); do
      echo "ALTER TABLE sbtest$t ADD CONSTRAINT sbtest${t}_pkey PRIMARY KEY (id)"
      echo "CREATE INDEX k_$t ON sbtest$t (k)"
    done | xargs -P 2 -I{} "${PG_DST[@]}" -d bench -c '{}'
  }
  # The target alone: each table's rows in two binary COPY files (halves by id), loaded by
  # two psql sessions into the tables without keys, then the keys two at a time.
  files_and_keys() { pg_load_files; keys; }
  best_of bare_target files_and_keys check_clone; local floor=$SECS
  report pgclone "target only: 2 psql COPY + keys" "$floor" -
  ratio pgclone "target only" "$dt1" "$floor"
  # The source and the target alone, sharing the machine as they do under dt.
  pipes_and_keys() { pg_pipes; keys; }
  best_of bare_target pipes_and_keys check_clone; local pipe=$SECS
  report pgclone "source + target only: 2 psql pipes" "$pipe" -
  ratio pgclone "source + target only" "$dt1" "$pipe"
}

# ---------------------------------------------------------------- MySQL, whole database
# The schema too, into a server without the database: dt with_structures=true (tables with
# their primary keys before the rows, secondary keys after them) against mydumper with its
# schema files and myloader (which creates each table with every key, then loads it).
bench_myclone() {
  echo "== MySQL clone: preparing $TABLES x $ROWS rows"
  "${MY_SRC[@]}" -e "DROP DATABASE IF EXISTS bench_db; CREATE DATABASE bench_db"
  sysbench oltp_common --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port=3307 --mysql-user=root --mysql-db=bench_db \
    --tables="$TABLES" --table-size="$ROWS" --threads=2 prepare >/dev/null
  empty_target() { "${MY_DST[@]}" -e "DROP DATABASE IF EXISTS bench_db"; }
  check_myclone() {
    local n; n=$("${MY_DST[@]}" -N -e "SELECT SUM(c) FROM (SELECT COUNT(*) c FROM bench_db.sbtest1 $(for t in $(seq 2 "$TABLES"); do echo "UNION ALL SELECT COUNT(*) FROM bench_db.sbtest$t"; done)) x")
    [[ $n == "$TOTAL" ]] || { echo "MySQL target has $n rows, expected $TOTAL" >&2; exit 1; }
    local i; i=$("${MY_DST[@]}" -N -e "SELECT COUNT(DISTINCT TABLE_NAME, INDEX_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'bench_db'")
    [[ $i == "$((TABLES * 2))" ]] || { echo "MySQL target has $i indexes, expected $((TABLES * 2))" >&2; exit 1; }
  }
  local dt1= dt3600= rss1= rss3600= cpu1= peer= load= cpu_load=
  peer_myclone() {
    empty_target
    rm -rf "$WORK/mydumper-clone"
    timed mydumper mydumper -h 127.0.0.1 -P 3307 -u root -B bench_db -t 2 -r 100000 -o "$WORK/mydumper-clone"; local dump=$SECS
    try_timed myloader myloader -h 127.0.0.1 -P 3308 -u root -B bench_db -t 2 -d "$WORK/mydumper-clone" ||
      { tail -n 2 "$WORK/myloader.out" >&2; empty_target; timed myloader myloader -h 127.0.0.1 -P 3308 -u root -B bench_db -t 2 -d "$WORK/mydumper-clone"; }
    check_myclone
    [[ $(lesser "$peer" "$(echo "$dump + $SECS" | bc -l)") == "$peer" ]] || { peer=$(echo "$dump + $SECS" | bc -l); load=$SECS; cpu_load="$TGT_CPU 0 $TOOL_CPU"; }
  }
  # dt and the peer take turns, and myloader gets one more go after a deadlock, as in bench_mysql.
  for interval in "${INTERVALS[@]}"; do
    empty_target
    dt_config mysql mysql://root@127.0.0.1:3307 mysql://root@127.0.0.1:3308 "$interval" bench_db with_structures=true
    timed "dt-myclone-$interval" "$DT" "$WORK/mysql.ini"; check_myclone
    keep_best
    [[ $interval != 1 ]] || peer_myclone
  done
  report myclone "dt with_structures (every 1s)" "$dt1" "$rss1"
  report myclone "dt with_structures (every 3600s)" "$dt3600" "$rss3600"
  report myclone "mydumper -t 2 -r 100000 + myloader -t 2" "$peer" -
  ratio myclone "mydumper+myloader, with schema" "$dt1" "$peer"
  cpu_report myclone "dt (every 1s)" "$dt1" "$cpu1"
  cpu_report myclone "myloader (the peer's load)" "$load" "$cpu_load"
  # The target alone: mydumper's INSERT files, already on disk, loaded by two mariadb clients
  # into the tables without their k key, then ADD KEY two tables at a time. No tool that
  # writes INSERTs over two connections gets the rows in faster than this.
  local d="$WORK/mydumper-clone"
  bare_tables() {
    local f
    empty_target
    "${MY_DST[@]}" < "$d/bench_db-schema-create.sql"
    for f in "$d"/bench_db.sbtest*-schema.sql; do
      sed -e '/^  KEY `k_[0-9]*`/d' -e 's/^\(  PRIMARY KEY (`id`)\),$/\1/' "$f" | "${MY_DST[@]}" bench_db
    done
  }
  inserts_and_keys() {
    local files=("$d"/bench_db.sbtest*.0*.sql) i j
    for i in 0 1; do
      (for ((j = i; j < ${#files[@]}; j += 2)); do cat "${files[$j]}"; done | "${MY_DST[@]}" bench_db) &
    done
    wait
    seq 1 "$TABLES" | xargs -P 2 -I{} "${MY_DST[@]}" bench_db -e 'ALTER TABLE sbtest{} ADD KEY k_{} (k)'
  }
  best_of bare_tables inserts_and_keys check_myclone; local floor=$SECS
  report myclone "target only: 2 clients + ADD KEY" "$floor" -
  ratio myclone "target only" "$dt1" "$floor"
}

# ---------------------------------------------------------------- MongoDB
bench_mongo() {
  echo "== MongoDB: preparing $TABLES x $ROWS documents"
  python3 scripts/bench/mongo.py prepare "$TABLES" "$ROWS"
  local dt1= dt3600= rss1= rss3600= peer=
  for interval in "${INTERVALS[@]}"; do
    python3 scripts/bench/mongo.py reset "$TABLES" "$ROWS"
    dt_config mongo mongodb://127.0.0.1:27017 mongodb://127.0.0.1:27018 "$interval" bench_db
    timed "dt-mongo-$interval" "$DT" "$WORK/mongo.ini"; python3 scripts/bench/mongo.py check "$TABLES" "$ROWS"
    keep_best
  done
  report mongo "dt (checkpoint every 1s)" "$dt1" "$rss1"
  report mongo "dt (checkpoint every 3600s)" "$dt3600" "$rss3600"
  # Two peers, best of REPEAT runs each: the single-threaded pymongo copy (read a batch, then
  # insert_many it) and insertMany of documents already in memory; both then build the index.
  local copy= mem=
  peer_run() { # peer_run OP BEST: runs peer OP, checks the target, prints the lesser time
    local t; t=$(python3 scripts/bench/mongo.py "$1" "$TABLES" "$ROWS") || exit 1
    python3 scripts/bench/mongo.py check "$TABLES" "$ROWS" >&2 || exit 1
      lesser "$2" "$t"
  }
  for _ in $(seq 1 "$REPEAT"); do
    copy=$(peer_run readinsert "$copy")
    mem=$(peer_run insertmany "$mem")
  done
  report mongo "pymongo copy + createIndex k" "$copy" -
  report mongo "insertMany (in memory) + createIndex k" "$mem" -
  ratio mongo "pymongo copy" "$dt1" "$copy"
  ratio mongo "insertMany (in memory)" "$dt1" "$mem"
  ratio mongo "dt (every 3600s)" "$dt1" "$dt3600"
}

# ---------------------------------------------------------------- many small tables
# BENCH_MANY (default "3000 10000") tables of 3 rows each in one MySQL database. Target tables
# exist beforehand for both tools (dt copies rows only), so mydumper dumps data only (-m) and
# myloader loads into them. Also times a resumed dt run that finds every table finished.
bench_many() {
  local n
  for n in ${BENCH_MANY:-3000 10000}; do
    echo "== MySQL: $n tables x 3 rows"
    python3 - "$n" > "$WORK/many.sql" <<'PY'
import sys
n = int(sys.argv[1])
print("DROP DATABASE IF EXISTS many_db; CREATE DATABASE many_db; USE many_db;")
for i in range(n):
    print(f"CREATE TABLE t{i} (id INT PRIMARY KEY, k INT, c CHAR(20));")
PY
    "${MY_SRC[@]}" < "$WORK/many.sql"
    python3 -c "import sys; n=int(sys.argv[1]); print('USE many_db;'); [print(f\"INSERT INTO t{i} VALUES (1,1,'a'),(2,2,'b'),(3,3,'c');\") for i in range(n)]" "$n" | "${MY_SRC[@]}"
    check_many() {
      local got; got=$("${MY_DST[@]}" -N -e "SELECT SUM(TABLE_ROWS >= 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'many_db'")
      local rows; rows=$("${MY_DST[@]}" -N -e "SELECT COUNT(*) FROM many_db.t0")$("${MY_DST[@]}" -N -e "SELECT COUNT(*) FROM many_db.t$((n - 1))")
      [[ $got == "$n" && $rows == 33 ]] || { echo "many_db target: $got tables, first/last hold $rows rows" >&2; exit 1; }
    }
    local best=
    for _ in $(seq 1 "$REPEAT"); do
      "${MY_DST[@]}" < "$WORK/many.sql"
      dt_config mysql mysql://root@127.0.0.1:3307 mysql://root@127.0.0.1:3308 1 many_db
      printf '[resumer]\nresume_from_log=true\n' >> "$WORK/mysql.ini"
      timed dt-many "$DT" "$WORK/mysql.ini"; check_many
      if [[ -z $best ]] || (( $(echo "$SECS < $best" | bc) )); then best=$SECS; fi
    done
    timed dt-many-resume "$DT" "$WORK/mysql.ini"; local resume=$SECS
    "${MY_DST[@]}" < "$WORK/many.sql"
    rm -rf "$WORK/mydumper-many"
    timed mydumper mydumper -h 127.0.0.1 -P 3307 -u root -B many_db -t 2 -m -o "$WORK/mydumper-many"; local dump=$SECS
    timed myloader myloader -h 127.0.0.1 -P 3308 -u root -B many_db -t 2 -d "$WORK/mydumper-many"; local peer; peer=$(echo "$dump + $SECS" | bc -l)
    check_many
    printf '%-6s %-34s %8.2f s\n' many "dt, $n tables" "$best" | tee -a "$RESULTS"
    printf '%-6s %-34s %8.2f s\n' many "dt resumed, $n tables finished" "$resume" | tee -a "$RESULTS"
    printf '%-6s %-34s %8.2f s\n' many "mydumper -m + myloader, $n tables" "$peer" | tee -a "$RESULTS"
    ratio many "mydumper+myloader ($n tables)" "$best" "$peer"
    "${MY_SRC[@]}" -e "DROP DATABASE many_db"; "${MY_DST[@]}" -e "DROP DATABASE many_db"
  done
}

# ---------------------------------------------------------------- memory on one big table
bench_rss() {
  local big=${BENCH_BIG_ROWS:-5000000}
  echo "== memory: one MySQL table of $big rows"
  "${MY_SRC[@]}" -e "DROP DATABASE IF EXISTS big_db; CREATE DATABASE big_db"
  sysbench oltp_common --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port=3307 --mysql-user=root --mysql-db=big_db \
    --tables=1 --table-size="$big" --threads=2 prepare >/dev/null
  { echo "DROP DATABASE IF EXISTS big_db; CREATE DATABASE big_db; USE big_db;"
    "${MY_SRC[@]}" -N -e "SHOW CREATE TABLE big_db.sbtest1" | cut -f2- | sed 's/\\n/\n/g'; echo ";"
  } | "${MY_DST[@]}"
  dt_config mysql mysql://root@127.0.0.1:3307 mysql://root@127.0.0.1:3308 1 big_db
  timed dt-rss "$DT" "$WORK/mysql.ini"
  local n; n=$("${MY_DST[@]}" -N -e "SELECT COUNT(*) FROM big_db.sbtest1")
  [[ $n == "$big" ]] || { echo "big table has $n rows, expected $big" >&2; exit 1; }
  printf '%-6s %-34s %8.2f s %10.0f rows/s %8s\n' rss "dt, one table of $big rows" "$SECS" "$(echo "$big / $SECS" | bc -l)" "$(( RSS / 1024 )) MB" | tee -a "$RESULTS"
  "${MY_SRC[@]}" -e "DROP DATABASE big_db"; "${MY_DST[@]}" -e "DROP DATABASE big_db"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); $TABLES x $ROWS rows per path"
for p in "${PATHS[@]}"; do "bench_$p"; done
echo; echo "== results ($TOTAL rows per run)"; cat "$RESULTS"
