#!/usr/bin/env bash
# Runs every test of dt on a fresh machine: installs what is missing, starts the six test
# servers (scripts/test-services.sh), builds the release binary, checks formatting and lints,
# and runs the whole test suite against the real servers. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-toolchain.sh
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
bash scripts/test-services.sh up

cargo fmt --all -- --check
cargo build --release --workspace
cargo clippy --release --workspace --all-targets -- -D warnings
# Cases share the test servers and hold a lock per server kind; the binaries run one by one.
cargo test --release --workspace -- --test-threads=2
