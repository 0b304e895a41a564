#!/usr/bin/env bash
# Builds the tiny image the tests and benchmarks run actions in: a root filesystem holding
# Debian's static busybox and its applet links, imported into the local Docker engine.
# No registry is reachable on the build machines, so nothing here pulls.
set -euo pipefail

IMAGE="${1:-${AUTOMATIONS_TEST_IMAGE:-automations-test:busybox}}"
BUSYBOX="${BUSYBOX:-/bin/busybox}"

if [[ ! -x "$BUSYBOX" ]]; then
  echo "build-test-image: $BUSYBOX not found; install Debian's busybox-static (apt-get install -y busybox-static)" >&2
  exit 1
fi
ldd_out=$(ldd "$BUSYBOX" 2>&1 || true)
if [[ "$ldd_out" != *"not a dynamic executable"* && "$ldd_out" != *"statically linked"* ]]; then
  echo "build-test-image: $BUSYBOX is not statically linked; install busybox-static" >&2
  exit 1
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,tmp,etc,home/automation,workspace}
chmod 1777 "$root/tmp"
cp "$BUSYBOX" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list-full); do
  [[ "$applet" == "bin/busybox" ]] && continue
  mkdir -p "$root/$(dirname "$applet")"
  ln -sf /bin/busybox "$root/$applet"
done
cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
automation:x:1000:1000:automation:/home/automation:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:
automation:x:1000:
nogroup:x:65534:
GROUP
chown 1000:1000 "$root/home/automation"

tar -C "$root" -c . | docker import \
  --change 'CMD ["/bin/sh"]' \
  --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
  - "$IMAGE" >/dev/null
echo "built $IMAGE"
