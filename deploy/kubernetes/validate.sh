#!/usr/bin/env bash
# Render every Kustomization (base and overlays) with kubectl kustomize and validate the result
# against the Kubernetes JSON schemas with kubernetes-validate --strict (unknown fields are
# errors). Offline: the schemas ship inside the package. Used by `make k8s-validate` and CI.
#   deploy/kubernetes/validate.sh [KUBECTL] [KUBERNETES_VALIDATE]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
KUBECTL="${1:-kubectl}"
VALIDATE="${2:-kubernetes-validate}"
VERSIONS="${K8S_VERSIONS:-1.30.0 1.37.0}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# The validator itself must refuse an unknown field, or a pass below means nothing.
cat > "$out/unknown-field.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: strictness-probe}
data: {}
dataa: {}
YAML
if "$VALIDATE" --strict --quiet -k "${VERSIONS%% *}" "$out/unknown-field.yaml" >/dev/null 2>&1; then
  echo "kubernetes-validate accepted an unknown field: strict validation is not working" >&2
  exit 1
fi

status=0
for kustomization in "$HERE"/base "$HERE"/overlays/*; do
  name="${kustomization#"$HERE"/}"
  rendered="$out/${name//\//-}.yaml"
  "$KUBECTL" kustomize "$kustomization" > "$rendered"
  count="$(grep -c '^kind:' "$rendered")"
  for version in $VERSIONS; do
    if "$VALIDATE" --strict --quiet -k "$version" "$rendered"; then
      echo "ok   $name: $count resources valid against Kubernetes $version (strict)"
    else
      echo "FAIL $name against Kubernetes $version" >&2
      status=1
    fi
  done
done
exit "$status"
