#!/usr/bin/env bash
# Builds the example agent image the tests run agent steps in: the busybox test image
# (scripts/build-test-image.sh) with scripts/example-agent.sh as /bin/automation-agent.
# Built with create/cp/commit, so no builder and no registry is involved.
set -euo pipefail
cd "$(dirname "$0")"

IMAGE="${1:-${AUTOMATIONS_AGENT_IMAGE:-automations-test:agent}}"
BASE="${AUTOMATIONS_TEST_IMAGE:-automations-test:busybox}"

if ! docker image inspect "$BASE" >/dev/null 2>&1; then
  bash ./build-test-image.sh "$BASE"
fi

container=$(docker create "$BASE" /bin/true)
trap 'docker rm -f "$container" >/dev/null' EXIT
docker cp ./example-agent.sh "$container:/bin/automation-agent"
docker commit \
  --change 'CMD ["/bin/sh"]' \
  --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
  "$container" "$IMAGE" >/dev/null
echo "built $IMAGE"
