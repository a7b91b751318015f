#!/usr/bin/env bash
# Installs everything tsweep needs on Debian bookworm, as root. Idempotent:
# a second run installs nothing new and reuses the Kokkos it built.
#
#   scripts/install-deps.sh [--prefix DIR]
#
# Kokkos: a Kokkos with a host-parallel backend is searched for first
# (Kokkos_ROOT, then DIR). Debian's own Kokkos is Serial-only, so when none is
# found, Kokkos 3.4.1 is built with OpenMP from Debian's trilinos source
# package into DIR (default: .deps/kokkos in the project).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix="${TSWEEP_DEPS_PREFIX:-$here/.deps}"
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown argument '$1' (expected --prefix DIR)" >&2; exit 2 ;;
  esac
done

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates dpkg-dev
  openmpi-bin libopenmpi-dev
  libhdf5-openmpi-dev hdf5-tools
  libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libyaml-cpp-dev nlohmann-json3-dev
  libxxhash-dev libzstd-dev liblz4-dev libflac-dev libboost-dev
  libhwloc-dev hwloc
  libedf-dev libmseed-dev
  python3-h5py python3-numpy python3-scipy python3-pandas python3-xarray python3-h5netcdf python3-pytest
  python3-dev pybind11-dev python3-pybind11
  libfftw3-dev
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
  time
  slurm-wlm munge slurm-wlm-torque
  python3-matplotlib
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: Debian packages already installed"
fi

# --- Kokkos with a host-parallel backend -----------------------------------
has_parallel_kokkos() {
  local dir="$1" cfg
  cfg=$(find "$dir" -name KokkosConfigCommon.cmake 2>/dev/null | head -n 1)
  [ -n "$cfg" ] && grep -Eq 'Kokkos_DEVICES[^)]*(OPENMP|THREADS)' "$cfg"
}

if [ -n "${Kokkos_ROOT:-}" ] && has_parallel_kokkos "$Kokkos_ROOT"; then
  echo "install-deps: using site Kokkos at $Kokkos_ROOT"
  exit 0
fi
kokkos_prefix="$prefix/kokkos"
if has_parallel_kokkos "$kokkos_prefix"; then
  echo "install-deps: Kokkos with OpenMP already built in $kokkos_prefix"
  exit 0
fi

echo "install-deps: building Kokkos 3.4.1 (OpenMP) from Debian's trilinos source into $kokkos_prefix"
src_list=/etc/apt/sources.list.d/tsweep-deb-src.sources
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  # Same registry as the binary packages, source flavour.
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=http://deb.debian.org/debian
  cat > "$src_list" <<SRC
Types: deb-src
URIs: $uri
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -qq
fi

work=$(mktemp -d)
chmod 755 "$work"  # apt-get source downloads as the _apt user
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get source --download-only -qq trilinos >/dev/null)
tarball=$(ls "$work"/trilinos_*.orig.tar.* | head -n 1)
tar -xf "$tarball" -C "$work" --wildcards '*/packages/kokkos/*'
ksrc=$(find "$work" -maxdepth 3 -type d -path '*/packages/kokkos' | head -n 1)
[ -n "$ksrc" ] || { echo "install-deps: packages/kokkos not found in $tarball" >&2; exit 1; }
cmake -S "$ksrc" -B "$work/build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX="$kokkos_prefix" \
  -DCMAKE_CXX_STANDARD=17 \
  -DKokkos_ENABLE_OPENMP=ON \
  -DKokkos_ENABLE_SERIAL=ON \
  -DBUILD_SHARED_LIBS=ON >/dev/null
cmake --build "$work/build" -j "$(nproc)" >/dev/null
cmake --install "$work/build" >/dev/null
echo "install-deps: Kokkos installed in $kokkos_prefix"
