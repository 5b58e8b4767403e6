#!/usr/bin/env bash
# Installable is part of done: packages every published crate, installs the CLI from its package
# (building the packaged crates against each other, not the workspace's sources) into a temporary
# root, and runs `new` and `check` with it in an empty directory.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(cargo metadata --no-deps --format-version 1 |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "clerk-claims-cli"))')
crates=(clerk-claims-codegen clerk-claims-macros clerk-claims-runtime clerk-claims-dev clerk-claims-cli)
# Packaging (the tests crate is not published). Installing below compiles every packaged crate.
cargo package --locked --no-verify --allow-dirty $(printf -- '-p %s ' "${crates[@]}")

packages=target/package
patches=()
for crate in "${crates[@]}"; do
  # Without verification cargo leaves only the .crate archive; unpack it to build from it.
  rm -rf "${packages:?}/$crate-$version"
  tar -xzf "$packages/$crate-$version.crate" -C "$packages"
  patches+=(--config "patch.crates-io.$crate.path=\"$packages/$crate-$version\"")
done
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# --debug and the shared target directory reuse the dependencies the test build compiled.
cargo install --locked --debug --path "$packages/clerk-claims-cli-$version" --root "$root/install" \
  --target-dir target/install "${patches[@]}"

mkdir "$root/project"
cd "$root/project"
"$root/install/bin/clerk-claims" new hasura
"$root/install/bin/clerk-claims" new custom --name api
"$root/install/bin/clerk-claims" check
echo "the packaged clerk-claims installs and runs"
