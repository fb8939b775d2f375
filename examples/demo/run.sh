#!/usr/bin/env bash
# The m365harden demo (`make demo`): no tenant, no network.
#
#  1. builds the provider and the m365sim emulator;
#  2. starts m365sim on loopback and installs the provider into a local
#     filesystem mirror, so `terraform init` works offline;
#  3. seeds 50 mailboxes (some with auditing off, two forwarding outside the
#     organization) and applies the shipped baseline, examples/baseline;
#  4. changes the tenant behind Terraform's back, as another administrator or
#     an attacker would: mailbox auditing off for the organization, one
#     mailbox's AuditEnabled flag cleared (a flag Exchange Online ignores
#     while organization auditing is on, but CIS 6.1.2 checks it), automatic
#     forwarding back on for every remote domain;
#  5. shows that `terraform plan` detects the drift (exit code 2).
#
# Everything happens in a fresh temporary directory, removed at the end
# (set DEMO_KEEP=1 to keep it). The emulator is stopped on every exit path.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BASELINE_DIR="$ROOT/examples/baseline"
PROVIDER_VERSION=0.0.1
SIM_TIMEOUT_SECONDS=30

# The emulator's built-in demo tenant and administrator app. These are public
# test values that only m365sim accepts.
TENANT_ID=7a3c2f10-5b6e-4d21-9c4f-0e8d1a2b3c4d
CLIENT_ID=11111111-2222-4333-8444-555555555555
CLIENT_SECRET=sim-admin-secret-not-for-production

WORK=$(mktemp -d "${TMPDIR:-/tmp}/m365harden-demo.XXXXXX")
SIM_PID=""
CHILD_PID=""

say() { printf '\n==> %s\n' "$*"; }

die() {
	printf '\ndemo FAILED: %s\n' "$*" >&2
	if [ -s "$WORK/m365sim.log" ]; then
		printf -- '--- last lines of the m365sim log:\n' >&2
		tail -n 20 "$WORK/m365sim.log" >&2
	fi
	[ "${DEMO_KEEP:-}" = 1 ] || printf 'Re-run with DEMO_KEEP=1 to keep the work directory for inspection.\n' >&2
	exit 1
}

# spawn CMD...: start a command in the background in its own process group
# (job control on for that one fork), so that stop can end it together with
# anything it started (terraform's provider plugins, for example).
spawn() {
	set -m
	"$@" </dev/null &
	set +m
}

# stop PID: end a process group we spawned, politely first.
stop() {
	local pid=$1
	[ -n "$pid" ] || return 0
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	kill -KILL -- "-$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	stop "$CHILD_PID"
	stop "$SIM_PID"
	if [ "${DEMO_KEEP:-}" = 1 ]; then
		printf '\nWork directory kept: %s\n' "$WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# run CMD...: run a command to completion as a child the trap can stop. A
# signal interrupts `wait` at once, so Ctrl-C or a kill never leaves it
# running.
run() {
	local rc=0
	spawn "$@"
	CHILD_PID=$!
	wait "$CHILD_PID" || rc=$?
	CHILD_PID=""
	return "$rc"
}

command -v terraform >/dev/null 2>&1 ||
	die "terraform is not on PATH (offline: go install github.com/hashicorp/terraform@v1.5.7)"
[ -f "$BASELINE_DIR/main.tf" ] || die "$BASELINE_DIR/main.tf is missing"

# Colour only on a terminal.
tf_color=()
[ -t 1 ] || tf_color=(-no-color)

# Nothing from the caller's environment may redirect the provider (it also
# reads ARM_* and the GitHub/Kubernetes OIDC variables) or Terraform.
while IFS= read -r var; do unset "$var"; done < <(
	compgen -e | grep -E '^(M365_|ARM_|TF_|ACTIONS_ID_TOKEN_REQUEST_|AZURE_FEDERATED_TOKEN_FILE$)' || true
)
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0

say "Building the provider and m365sim"
make -C "$ROOT" --no-print-directory build || die "make build failed"

say "Starting m365sim"
mkdir -p "$WORK/sim"
spawn "$ROOT/bin/m365sim" serve --state-dir "$WORK/sim" --snapshot "$WORK/sim/state.json" \
	>"$WORK/m365sim.log" 2>&1
SIM_PID=$!
deadline=$((SECONDS + SIM_TIMEOUT_SECONDS))
until [ -s "$WORK/sim/url" ]; do
	kill -0 "$SIM_PID" 2>/dev/null || die "m365sim exited before it was ready"
	[ "$SECONDS" -lt "$deadline" ] || die "m365sim did not write $WORK/sim/url within ${SIM_TIMEOUT_SECONDS}s"
	sleep 0.1
done
URL=$(<"$WORK/sim/url")
URL=${URL%/}
[ -s "$WORK/sim/ca.pem" ] || die "m365sim did not write $WORK/sim/ca.pem"
echo "m365sim is listening at $URL (pid $SIM_PID, state in $WORK/sim)"

say "Installing the provider into a local filesystem mirror"
platform=$(terraform version -json | sed -n 's/.*"platform": *"\([^"]*\)".*/\1/p')
[ -n "$platform" ] || platform="$(go env GOOS)_$(go env GOARCH)"
mirror_dir="$WORK/mirror/registry.terraform.io/m365harden/m365harden/$PROVIDER_VERSION/$platform"
mkdir -p "$mirror_dir"
cp "$ROOT/bin/terraform-provider-m365harden" "$mirror_dir/terraform-provider-m365harden_v$PROVIDER_VERSION"
cat >"$WORK/terraform.rc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$WORK/mirror"
    include = ["registry.terraform.io/m365harden/m365harden"]
  }
  direct {
    exclude = ["registry.terraform.io/m365harden/m365harden"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$WORK/terraform.rc"
echo "$mirror_dir/terraform-provider-m365harden_v$PROVIDER_VERSION"

# The provider reaches the emulator only through configuration: endpoints and
# the CA it trusts. Production uses the same code path with Microsoft's hosts.
export M365_TENANT_ID="$TENANT_ID"
export M365_CLIENT_ID="$CLIENT_ID"
export M365_CLIENT_SECRET="$CLIENT_SECRET"
export M365_LOGIN_ENDPOINT="$URL/"
export M365_GRAPH_ENDPOINT="$URL"
export M365_EXCHANGE_ENDPOINT="$URL/exo"
export M365_COMPLIANCE_ENDPOINT="$URL/scc"
# Security & Compliance redirects a tenant to its regional host, which gets
# the token only when allowed; the emulator's stands on another port.
M365_COMPLIANCE_REGIONAL_HOSTS="$(sed 's#^https://##' "$WORK/sim/regional_url")"
export M365_COMPLIANCE_REGIONAL_HOSTS
export M365_CA_FILE="$WORK/sim/ca.pem"

TF_DIR="$WORK/terraform"
mkdir -p "$TF_DIR"
cp "$BASELINE_DIR"/*.tf "$TF_DIR/"
cd "$TF_DIR"

say "Seeding the tenant: 50 mailboxes, every 5th with auditing off, every 25th forwarding externally"
run "$ROOT/bin/m365sim" seed --state-dir "$WORK/sim" mailboxes \
	--params '{"count":50,"types":["UserMailbox","SharedMailbox"],"audit_disabled_every":5,"forwarding_every":25}' >/dev/null ||
	die "m365sim seed mailboxes failed"

say "terraform init"
run terraform init -input=false "${tf_color[@]}" || die "terraform init failed"

say "terraform apply"
run terraform apply -auto-approve -input=false "${tf_color[@]}" || die "terraform apply failed"
run terraform state list >"$WORK/state-list.txt" || die "terraform state list failed"
applied=$(grep -cvE '(^|\.)data\.' "$WORK/state-list.txt" || true)
[ "$applied" -gt 0 ] || die "terraform apply created no resources"

say "Changing the tenant out of band, as an attacker would"
echo "Set-OrganizationConfig -AuditDisabled \$true"
run "$ROOT/bin/m365sim" invoke --state-dir "$WORK/sim" --endpoint exchange \
	Set-OrganizationConfig --params '{"AuditDisabled":true}' >/dev/null ||
	die "m365sim invoke Set-OrganizationConfig failed"
echo "Set-Mailbox user1@contoso.onmicrosoft.com -AuditEnabled \$false"
echo "  (Exchange Online ignores this flag while organization auditing is on; the real per-account"
echo "   off switch is Set-MailboxAuditBypassAssociation, managed by m365harden_mailbox_audit_bypass)"
run "$ROOT/bin/m365sim" invoke --state-dir "$WORK/sim" --endpoint exchange \
	Set-Mailbox --params '{"Identity":"user1@contoso.onmicrosoft.com","AuditEnabled":false}' >/dev/null ||
	die "m365sim invoke Set-Mailbox failed"
echo "Set-RemoteDomain Default -AutoForwardEnabled \$true"
run "$ROOT/bin/m365sim" invoke --state-dir "$WORK/sim" --endpoint exchange \
	Set-RemoteDomain --params '{"Identity":"Default","AutoForwardEnabled":true}' >/dev/null ||
	die "m365sim invoke Set-RemoteDomain failed"

say "terraform plan -detailed-exitcode (exit code 2 means drift)"
plan_rc=0
run terraform plan -detailed-exitcode -input=false "${tf_color[@]}" >"$WORK/plan.txt" 2>&1 || plan_rc=$?
cat "$WORK/plan.txt"
case "$plan_rc" in
2) ;;
0) die "terraform plan found no changes: the out-of-band change was not detected as drift" ;;
*) die "terraform plan failed (exit code $plan_rc)" ;;
esac

# The plan's resource headers ("# x will be updated in-place"), the changed
# attributes ("~ name = old -> new") and its "Plan: ..." line, without colour.
drift=$(sed -e 's/\x1b\[[0-9;]*m//g' "$WORK/plan.txt" |
	sed -n -e 's/^ *# \(.* \(will\|must\) be .*\)$/\1/p' \
		-e 's/^ *~ \([a-z0-9_]*\) *= \(.* -> .*\)$/\1: \2/p' \
		-e 's/^\(Plan: .*\)$/\1/p' |
	paste -sd ';' - | sed 's/;/; /g')

say "Summary"
echo "applied $applied resources of examples/baseline to m365sim"
echo "out-of-band changes: AuditDisabled=true (no mailbox audited); user1 AuditEnabled=false (a flag CIS checks; Exchange ignores it while organization auditing is on); Default remote domain AutoForwardEnabled=true"
echo "terraform plan -detailed-exitcode exited 2 (drift): ${drift:-see the plan above}"
