// Command releasecheck checks a release folder that `goreleaser release`
// wrote (dist/), as `make release-snapshot` runs it:
//
//	go run ./internal/cmd/releasecheck -dist dist [-targets linux_amd64,...] [-terraform PATH]
//
// It checks the archive names and contents, SHA256SUMS (every zip and the
// manifest, with their hashes, and nothing else; the manifest is the
// repository's terraform-registry-manifest.json, which the release uploads
// under its registry name and GoReleaser does not copy into dist/), the signature with gpg --verify (the
// signing key must be in the keyring, GNUPGHOME), the manifest, and that
// the linux_amd64 archive installs from a filesystem mirror and answers
// `terraform providers schema -json` with the provider's resources.
//
// With -restrict it instead writes a copy of a GoReleaser configuration that
// builds only the given targets (for a quick local snapshot):
//
//	go run ./internal/cmd/releasecheck -restrict linux_amd64 -config .goreleaser.yml -out /tmp/goreleaser.yml
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/m365harden/terraform-provider-m365harden/internal/release"
)

func main() {
	dist := flag.String("dist", "dist", "the release folder")
	config := flag.String("config", ".goreleaser.yml", "the GoReleaser configuration")
	targets := flag.String("targets", "", "comma-separated targets built (default: the configuration's)")
	terraform := flag.String("terraform", "terraform", "the terraform CLI")
	restrict := flag.String("restrict", "", "write a configuration limited to these comma-separated targets to -out, and exit")
	out := flag.String("out", "", "where -restrict writes")
	flag.Parse()

	if *restrict != "" {
		if err := writeRestricted(*config, *out, split(*restrict)); err != nil {
			fail(err)
		}
		return
	}

	cfg, err := release.LoadConfig(*config)
	if err != nil {
		fail(err)
	}
	tgts := cfg.Targets()
	if *targets != "" {
		tgts = split(*targets)
	}
	var meta struct {
		Version string `json:"version"`
	}
	b, err := os.ReadFile(filepath.Join(*dist, "metadata.json"))
	if err != nil {
		fail(err)
	}
	if err := json.Unmarshal(b, &meta); err != nil || meta.Version == "" {
		fail(fmt.Errorf("%s/metadata.json: no version (%v)", *dist, err))
	}
	manifest, err := os.ReadFile("terraform-registry-manifest.json")
	if err != nil {
		fail(err)
	}
	errs := release.CheckDist(*dist, meta.Version, tgts, manifest)
	// The signature is checked even when the folder has other faults: a
	// checksum file re-written after signing shows up in both.
	sums := filepath.Join(*dist, release.SumsName(meta.Version))
	if o, err := exec.Command("gpg", "--batch", "--verify", sums+".sig", sums).CombinedOutput(); err != nil {
		errs = append(errs, fmt.Errorf("gpg --verify %s.sig: %v\n%s", sums, err, o))
	}
	for _, e := range errs {
		fmt.Fprintln(os.Stderr, "FAIL:", e)
	}
	if len(errs) > 0 {
		os.Exit(1)
	}
	fmt.Printf("releasecheck: %s: %d archives, SHA256SUMS and its signature, manifest: ok\n", meta.Version, len(tgts))
	for _, t := range tgts {
		st, _ := os.Stat(filepath.Join(*dist, release.ZipName(meta.Version, t)))
		fmt.Printf("  %s  %d bytes\n", release.ZipName(meta.Version, t), st.Size())
	}
	for _, t := range tgts {
		if t == "linux_amd64" {
			if err := schemaFromMirror(*terraform, *dist, meta.Version); err != nil {
				fail(err)
			}
		}
	}
}

// schemaFromMirror installs the linux_amd64 zip from a packed filesystem
// mirror (the zip exactly as published) and runs `terraform providers
// schema -json`.
func schemaFromMirror(terraform, dist, version string) error {
	work, err := os.MkdirTemp("", "releasecheck")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	mirror := filepath.Join(work, "mirror", "registry.terraform.io", "m365harden", "m365harden")
	if err := os.MkdirAll(mirror, 0o755); err != nil {
		return err
	}
	zip := release.ZipName(version, "linux_amd64")
	b, err := os.ReadFile(filepath.Join(dist, zip))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(mirror, zip), b, 0o644); err != nil {
		return err
	}
	cli := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(cli, []byte(fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", filepath.Join(work, "mirror"))), 0o644); err != nil {
		return err
	}
	mod := filepath.Join(work, "config")
	if err := os.MkdirAll(mod, 0o755); err != nil {
		return err
	}
	// Terraform lower-cases the pre-release part of a version it reads from
	// a mirror's file name (a snapshot's 0.0.0-SNAPSHOT-abc1234 is found as
	// 0.0.0-snapshot-abc1234) but compares constraints case-sensitively.
	hcl := fmt.Sprintf("terraform {\n  required_providers {\n    m365harden = {\n      source  = \"m365harden/m365harden\"\n      version = %q\n    }\n  }\n}\n", strings.ToLower(version))
	if err := os.WriteFile(filepath.Join(mod, "main.tf"), []byte(hcl), 0o644); err != nil {
		return err
	}
	run := func(args ...string) ([]byte, error) {
		cmd := exec.Command(terraform, args...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cli, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		o, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("terraform %s: %v\n%s%s", strings.Join(args, " "), err, o, stderr.String())
		}
		return o, nil
	}
	if _, err := run("init", "-input=false", "-no-color"); err != nil {
		return err
	}
	o, err := run("providers", "schema", "-json")
	if err != nil {
		return err
	}
	var schema struct {
		ProviderSchemas map[string]struct {
			ResourceSchemas   map[string]json.RawMessage `json:"resource_schemas"`
			DataSourceSchemas map[string]json.RawMessage `json:"data_source_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(o, &schema); err != nil {
		return fmt.Errorf("terraform providers schema -json: %w", err)
	}
	p, ok := schema.ProviderSchemas["registry.terraform.io/m365harden/m365harden"]
	if !ok || p.ResourceSchemas["m365harden_audit_configuration"] == nil || p.DataSourceSchemas["m365harden_posture"] == nil {
		return fmt.Errorf("terraform providers schema -json: the provider's schemas are missing (%d resources, %d data sources)", len(p.ResourceSchemas), len(p.DataSourceSchemas))
	}
	fmt.Printf("releasecheck: linux_amd64 archive installed from a filesystem mirror; terraform providers schema -json: %d resources, %d data sources\n", len(p.ResourceSchemas), len(p.DataSourceSchemas))
	return nil
}

// writeRestricted copies a GoReleaser configuration with its build limited
// to targets.
func writeRestricted(in, out string, targets []string) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return err
	}
	builds, ok := doc["builds"].([]any)
	if !ok || len(builds) == 0 {
		return fmt.Errorf("%s: no builds", in)
	}
	for _, bl := range builds {
		m, ok := bl.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: a build is not a mapping", in)
		}
		delete(m, "goos")
		delete(m, "goarch")
		delete(m, "ignore")
		m["targets"] = targets
	}
	nb, err := yaml.Marshal(doc)
	if err != nil {
		return err
	}
	return os.WriteFile(out, nb, 0o644)
}

func split(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "releasecheck:", err)
	os.Exit(1)
}
