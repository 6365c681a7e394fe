#!/usr/bin/env bash
# Build the images the sandbox test needs from Debian packages, without a container registry:
#   python:3.11-slim-bookworm          debootstrap --variant=minbase bookworm + python3.11 (+venv),
#                                      tagged as the official base so deploy/Containerfile is built
#                                      exactly as users build it
#   localhost/paceway-standin/postgres Debian's postgresql-15 with an entrypoint that reads the
#                                      official image's variables (POSTGRES_USER/PASSWORD/DB, PGDATA)
#   localhost/paceway-standin/redis    Debian's redis-server
#   localhost/paceway-standin/caddy    Debian's caddy (2.6)
# The three stand-ins share one root filesystem (one apt-get, one import), each with its own
# settings on top. Real deployments pull the official postgres, redis and caddy images.
#
#   base-images.sh [base|standins|all]      (default: all; the stand-ins need the base's tree)
#
# Needs root, debootstrap and a container engine: ENGINE=docker (default; a running Docker engine,
# DOCKER_HOST) or ENGINE=podman (the images go into podman's store; the base is tagged with its
# full name, docker.io/library/python:3.11-slim-bookworm, which is what podman resolves the short
# name in deploy/Containerfile to). Idempotent: an image that exists is kept (FORCE=1 rebuilds).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ENGINE="${ENGINE:-docker}"
case "$ENGINE" in
  docker) BASE_TAG=python:3.11-slim-bookworm ;;
  podman) BASE_TAG=docker.io/library/python:3.11-slim-bookworm ;;
  *) echo "ENGINE=$ENGINE: docker or podman" >&2; exit 2 ;;
esac
ROOTFS="${ROOTFS_DIR:-/var/lib/paceway-rootfs}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
export DEBIAN_FRONTEND=noninteractive

have() { [ "${FORCE:-0}" != 1 ] && "$ENGINE" image inspect "$1" >/dev/null 2>&1; }

in_root() {  # run a shell command inside a root filesystem, with apt able to fetch packages
  local root="$1"; shift
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive /bin/sh -c "$*"
}

install_into() {  # install Debian packages into a root filesystem, then drop the caches
  local root="$1" out; shift
  if ! out="$(in_root "$root" "apt-get update -qq && apt-get install -y -qq --no-install-recommends $* \
      && apt-get clean && rm -rf /var/lib/apt/lists/*" 2>&1)"; then
    echo "$out" | tail -15
    echo "FAIL apt-get install $* in $root (mirror $MIRROR)" >&2
    return 1
  fi
}

import_tree() {  # import a root filesystem into the engine's store with image settings (--change lines)
  local root="$1" tag="$2"; shift 2
  local changes=()
  for change in "$@"; do changes+=(--change "$change"); done
  rm -f "$root/etc/resolv.conf"
  [ "$ENGINE" = podman ] && changes+=(--quiet)  # no copy progress on stderr (docker import has none)
  tar -C "$root" --numeric-owner -c . | "$ENGINE" import "${changes[@]}" - "$tag" >/dev/null
  echo "imported $tag"
}

what="${1:-all}"
case "$what" in base|standins|all) ;; *) echo "usage: $0 [base|standins|all]" >&2; exit 2 ;; esac

base="$ROOTFS/base"
if [ ! -x "$base/usr/bin/python3.11" ] || [ ! -f "$base/.paceway-base-ok" ]; then
  rm -rf "$base"
  # python3.11 and its venv module are installed after debootstrap: its --include does not
  # resolve python3.11-venv's dependencies and leaves the package unconfigured.
  debootstrap --variant=minbase bookworm "$base" "$MIRROR" >/dev/null
  echo "deb $MIRROR bookworm main" > "$base/etc/apt/sources.list"
  install_into "$base" python3.11 python3.11-venv ca-certificates tzdata
  ln -sf /usr/bin/python3.11 "$base/usr/local/bin/python"
  ln -sf /usr/bin/python3.11 "$base/usr/local/bin/python3"
  touch "$base/.paceway-base-ok"
fi
if [ "$what" != standins ]; then
  have "$BASE_TAG" || import_tree "$base" "$BASE_TAG" \
    'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' 'ENV LANG=C.UTF-8' 'CMD ["python3"]'
fi
[ "$what" = base ] && exit 0

standin() {  # standin NAME DOCKERFILE-LINES: one stand-in image on top of the shared tree
  local tag="localhost/paceway-standin/$1"
  have "$tag" && return 0
  local out dir
  dir="$(mktemp -d)"
  printf 'FROM localhost/paceway-standin/debian\n%s\n' "$2" > "$dir/Containerfile"
  out="$("$ENGINE" build -q -t "$tag" -f "$dir/Containerfile" "$dir" 2>&1)" \
    || { rm -rf "$dir"; echo "$out" | tail -5; echo "FAIL $ENGINE build $tag" >&2; return 1; }
  rm -rf "$dir"
  echo "built $tag"
}

if ! have localhost/paceway-standin/postgres || ! have localhost/paceway-standin/redis \
   || ! have localhost/paceway-standin/caddy; then
  if ! have localhost/paceway-standin/debian; then
    root="$ROOTFS/standins"
    rm -rf "$root"
    cp -a "$base" "$root"
    mkdir -p "$root/etc/postgresql-common" "$root/data" "$root/config" "$root/etc/caddy"
    echo "create_main_cluster = false" > "$root/etc/postgresql-common/createcluster.conf"
    install -m 0755 "$HERE/standin-postgres-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
    install_into "$root" postgresql-15 redis-server caddy
    import_tree "$root" localhost/paceway-standin/debian 'ENV LANG=C.UTF-8'
    rm -rf "$root"
  fi
  standin postgres 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENV PGDATA=/var/lib/postgresql/data
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
EXPOSE 5432'
  standin redis 'WORKDIR /data
CMD ["redis-server"]
EXPOSE 6379'
  standin caddy 'ENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data
WORKDIR /srv
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
EXPOSE 80 443'
fi
