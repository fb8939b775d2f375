#!/usr/bin/env bash
# `make release-snapshot`: build the release archives locally with
# GoReleaser (snapshot: nothing is published), sign SHA256SUMS, and check
# the result with internal/cmd/releasecheck.
#
# GPG_FINGERPRINT selects a signing key already in the keyring; without it a
# throwaway key is made in a temporary GNUPGHOME and deleted afterwards.
# RELEASE_TARGETS (comma-separated, e.g. linux_amd64) limits the platforms.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
: "${GORELEASER:?set GORELEASER (the Makefile does)}"
TERRAFORM="${TERRAFORM:-terraform}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "${GPG_FINGERPRINT:-}" ]; then
	export GNUPGHOME="$work/gnupg"
	mkdir -m 700 "$GNUPGHOME"
	gpg --batch --quiet --passphrase '' --quick-gen-key \
		'm365harden release snapshot (throwaway) <snapshot@m365harden.invalid>' ed25519 sign 1d
	GPG_FINGERPRINT=$(gpg --batch --list-keys --with-colons | awk -F: '$1 == "fpr" { print $10; exit }')
	echo "release-snapshot: signing with a throwaway key $GPG_FINGERPRINT"
fi
export GPG_FINGERPRINT

config=.goreleaser.yml
targets_flag=()
if [ -n "${RELEASE_TARGETS:-}" ]; then
	config="$work/goreleaser.yml"
	go run ./internal/cmd/releasecheck -restrict "$RELEASE_TARGETS" -config .goreleaser.yml -out "$config"
	targets_flag=(-targets "$RELEASE_TARGETS")
fi

$GORELEASER release --snapshot --clean --config "$config"
go run ./internal/cmd/releasecheck -dist dist -config .goreleaser.yml "${targets_flag[@]}" -terraform "$TERRAFORM"
