#!/usr/bin/env bash
# Makes sure a Rust toolchain (cargo, rustfmt, clippy) and the C tools some crates need are
# present; installs what is missing. Idempotent.
set -euo pipefail
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
if ! command -v cargo >/dev/null 2>&1; then
  echo "[toolchain] installing Rust with rustup" >&2
  curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component rustfmt,clippy
  export PATH="$PATH:$HOME/.cargo/bin"
fi
for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    rustup component add "$component"
  fi
done
if ! command -v cc >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y build-essential >/dev/null || { apt-get update >/dev/null && apt-get install -y build-essential >/dev/null; }
fi
