#!/usr/bin/env bash
# Demo: a MySQL → MySQL migration on the local test servers that is killed (SIGKILL) half way
# and resumed. Installs what is missing, starts the two MariaDB servers (no others), builds
# dt with its MySQL connector only, creates 4 tables of 200,000 rows on the source, runs dt,
# kills it, resumes it, and checks that every table of the target equals its source (row
# count and CHECKSUM TABLE, then `dt-main --verify`).
# Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROWS=${DT_DEMO_ROWS:-200000}
WORK=${DT_DEMO_DIR:-/tmp/dt-demo}
SRC=(mariadb -h127.0.0.1 -P3307 -uroot)
DST=(mariadb -h127.0.0.1 -P3308 -uroot)

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

bash scripts/ensure-toolchain.sh
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
bash scripts/test-services.sh up mysql
say "building dt (MySQL connector only)"
cargo build --release -p dt-main --no-default-features --features mysql
DT="$ROOT/target/release/dt-main"

say "creating demo_db on the source (4 tables x $ROWS rows) and its empty copy on the target"
schema() {
  echo "DROP DATABASE IF EXISTS demo_db; CREATE DATABASE demo_db;"
  for i in 1 2 3 4; do
    echo "CREATE TABLE demo_db.sbtest$i (id INT PRIMARY KEY, k INT NOT NULL, c CHAR(120) NOT NULL, pad CHAR(60) NOT NULL, KEY k_$i (k));"
  done
}
schema | "${SRC[@]}"
schema | "${DST[@]}"
for i in 1 2 3 4; do
  "${SRC[@]}" -e "SET SESSION max_recursive_iterations = $((ROWS + 1));
    INSERT INTO demo_db.sbtest$i WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < $ROWS)
    SELECT n, FLOOR(RAND(n * $i) * $ROWS), CONCAT_WS('-', MD5(n), MD5(n + $i), MD5(n + 2)), MD5(n * $i) FROM s;"
done

rm -rf "$WORK" && mkdir -p "$WORK"
cat > "$WORK/task_config.ini" <<INI
[extractor]
db_type=mysql
url=mysql://root@127.0.0.1:3307

[sinker]
db_type=mysql
url=mysql://root@127.0.0.1:3308

[filter]
do_dbs=demo_db

[pipeline]
checkpoint_interval_secs=1

[runtime]
log_dir=$WORK/logs

[resumer]
resume_from_log=true
INI
cat "$WORK/task_config.ini"

say "run 1: starting dt, and killing it with SIGKILL once it has recorded progress"
"$DT" "$WORK/task_config.ini" > "$WORK/run1.out" 2>&1 &
PID=$!
for _ in $(seq 1 600); do
  grep -q current_position "$WORK/logs/position.log" 2>/dev/null && break
  kill -0 $PID 2>/dev/null || break
  sleep 0.05
done
sleep 0.7
if kill -9 $PID 2>/dev/null; then
  wait $PID 2>/dev/null || true
  echo "dt was killed with SIGKILL (pid $PID)"
else
  echo "dt finished before it could be killed (machine faster than expected); the resume run will skip everything"
fi
echo "--- finished.log after the kill"
cat "$WORK/logs/finished.log" 2>/dev/null || true
echo "--- last position recorded"
grep current_position "$WORK/logs/position.log" | tail -n 1 || true
echo "--- target row counts after the kill"
for i in 1 2 3 4; do "${DST[@]}" -N -e "SELECT 'sbtest$i', COUNT(*) FROM demo_db.sbtest$i"; done

say "run 2: the same command again, resuming from the logs"
"$DT" "$WORK/task_config.ini" | tee "$WORK/run2.out"
echo "--- resumer lines of default.log"
grep -E "resumer, (get resume value|check finished)" "$WORK/logs/default.log" | tail -n 8

say "checking the target against the source"
status=0
for i in 1 2 3 4; do
  s=$("${SRC[@]}" -N -e "SELECT COUNT(*) FROM demo_db.sbtest$i; CHECKSUM TABLE demo_db.sbtest$i" | tr '\n\t' '  ')
  d=$("${DST[@]}" -N -e "SELECT COUNT(*) FROM demo_db.sbtest$i; CHECKSUM TABLE demo_db.sbtest$i" | tr '\n\t' '  ')
  if [[ "$s" == "$d" ]]; then echo "sbtest$i: OK   ($s)"; else echo "sbtest$i: DIFF source [$s] target [$d]"; status=1; fi
done
say "dt --verify: the same check by dt itself (row count and content digest per table)"
"$DT" --verify "$WORK/task_config.ini" || status=1
resumed=$(grep -c "resumed after" "$WORK/run2.out" || true)
skipped=$(grep -c "skipped (finished earlier)" "$WORK/run2.out" || true)
echo "run 2: $skipped table(s) skipped as finished, $resumed table(s) continued after their recorded position"
exit $status
