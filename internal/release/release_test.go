package release

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func repoFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The repository's .goreleaser.yml builds what the Terraform Registry
// needs: every required platform, the zip, checksum, signature and manifest
// names, -trimpath, -s -w and the version stamp.
func TestGoreleaserConfig(t *testing.T) {
	c, err := ParseConfig(repoFile(t, ".goreleaser.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range c.Check() {
		t.Error(e)
	}
	if got := c.Targets(); len(got) != len(RequiredTargets) {
		t.Errorf("targets %v, want exactly %v", got, RequiredTargets)
	}
}

// The GoReleaser the GNUmakefile pins (and the release workflow runs
// through `make release`) signs a checksum file that stays as signed.
func TestGoreleaserConfig_pinnedVersion(t *testing.T) {
	m := regexp.MustCompile(`(?m)^GORELEASER_VERSION\s*:=\s*(\S+)\s*$`).FindSubmatch(repoFile(t, "GNUmakefile"))
	if m == nil {
		t.Fatal("GNUmakefile: no GORELEASER_VERSION := line")
	}
	if err := CheckGoreleaserVersion(string(m[1])); err != nil {
		t.Errorf("GNUmakefile: %v", err)
	}
	for v, ok := range map[string]bool{
		"v2.14.3": true, "v2.16.0": true, "v2.17.0": true,
		"v2.15.0": false, "v2.15.1": false, // goreleaser/goreleaser#6508, #6514
		"v1.26.2": false, "latest": false, "v2.17": false, "v2.17.0-nightly": false,
	} {
		if err := CheckGoreleaserVersion(v); (err == nil) != ok {
			t.Errorf("CheckGoreleaserVersion(%s) = %v, want ok=%v", v, err, ok)
		}
	}
}

// Each invariant fails when the configuration breaks it.
func TestGoreleaserConfig_checksFail(t *testing.T) {
	orig := string(repoFile(t, ".goreleaser.yml"))
	for _, c := range []struct{ name, old, new, want string }{
		{"no trimpath", "      - -trimpath\n", "", "-trimpath"},
		{"gRPC tracing linked", "      - -tags=grpcnotrace\n", "", "grpcnotrace"},
		{"symbols kept", `"-s -w -X`, `"-X`, "lacks -s"},
		{"no version stamp", "-X main.version={{ .Version }}", "", "main.version"},
		{"linux arm64 dropped", "      - goos: windows\n        goarch: arm\n", "      - goos: windows\n        goarch: arm\n      - goos: linux\n        goarch: arm64\n", "linux_arm64"},
		{"tar.gz", "formats: [zip]", "formats: [tar.gz]", "formats"},
		{"zip name", `name_template: "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}"`, `name_template: "{{ .ProjectName }}-{{ .Os }}-{{ .Arch }}"`, "archives[0].name_template"},
		{"sums name", `"{{ .ProjectName }}_{{ .Version }}_SHA256SUMS"`, `"checksums.txt"`, "checksum.name_template"},
		{"unsigned", "artifacts: checksum", "artifacts: none", "signature"},
		{"no manifest", "  extra_files:\n    - glob: terraform-registry-manifest.json\n      name_template: \"{{ .ProjectName }}_{{ .Version }}_manifest.json\"\n\nsigns:", "\nsigns:", "checksum.extra_files"},
		{"project name", "project_name: terraform-provider-m365harden", "", "project_name"},
		{"binary name", `binary: "{{ .ProjectName }}_v{{ .Version }}"`, `binary: "{{ .ProjectName }}"`, "builds[0].binary"},
	} {
		if !strings.Contains(orig, c.old) {
			t.Fatalf("%s: .goreleaser.yml no longer contains %q; update the test", c.name, c.old)
		}
		cfg, err := ParseConfig([]byte(strings.Replace(orig, c.old, c.new, 1)))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var msgs []string
		for _, e := range cfg.Check() {
			msgs = append(msgs, e.Error())
		}
		if !strings.Contains(strings.Join(msgs, "\n"), c.want) {
			t.Errorf("%s: errors %q, want one mentioning %q", c.name, msgs, c.want)
		}
	}
}

func TestManifest(t *testing.T) {
	if err := CheckManifest(repoFile(t, "terraform-registry-manifest.json")); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		`{"version": 1, "metadata": {"protocol_versions": ["5.0"]}}`,
		`{"version": 2, "metadata": {"protocol_versions": ["6.0"]}}`,
		`{"version": 1, "metadata": {"protocol_versions": ["6.0"], "extra": 1}}`,
	} {
		if CheckManifest([]byte(bad)) == nil {
			t.Errorf("manifest %s accepted", bad)
		}
	}
}

// writeDist writes a release folder the way GoReleaser lays it out: the
// zips, the checksum file and its signature. The manifest is only hashed
// (checksum.extra_files): GoReleaser does not copy it into dist/.
func writeDist(t *testing.T, dir, version string, targets []string, manifest []byte) {
	t.Helper()
	var sums bytes.Buffer
	sum := func(name string, b []byte) {
		s := sha256.Sum256(b)
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(s[:]), name)
	}
	add := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		sum(name, b)
	}
	for _, tg := range targets {
		var zb bytes.Buffer
		zw := zip.NewWriter(&zb)
		w, err := zw.Create(BinaryName(version, tg))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte("binary for " + tg))
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		add(ZipName(version, tg), zb.Bytes())
	}
	sum(ManifestName(version), manifest)
	if err := os.WriteFile(filepath.Join(dir, SumsName(version)), sums.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, SumsName(version)+".sig"), []byte("sig"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckDist(t *testing.T) {
	manifest := repoFile(t, "terraform-registry-manifest.json")
	targets := []string{"linux_amd64", "windows_amd64"}
	const v = "0.1.0"

	dir := t.TempDir()
	writeDist(t, dir, v, targets, manifest)
	if errs := CheckDist(dir, v, targets, manifest); len(errs) != 0 {
		t.Fatalf("a correct release folder: %v", errs)
	}

	for _, c := range []struct {
		name    string
		breakIt func(dir string)
		want    string
	}{
		{"tampered zip", func(d string) {
			_ = os.WriteFile(filepath.Join(d, ZipName(v, "linux_amd64")), []byte("PK tampered"), 0o644)
		}, "SHA-256"},
		{"missing zip", func(d string) { _ = os.Remove(filepath.Join(d, ZipName(v, "windows_amd64"))) }, ZipName(v, "windows_amd64")},
		{"no signature", func(d string) { _ = os.Remove(filepath.Join(d, SumsName(v)+".sig")) }, ".sig"},
		{"other manifest in dist", func(d string) {
			m := []byte(`{"version": 1, "metadata": {"protocol_versions": ["5.0"]}}`)
			_ = os.WriteFile(filepath.Join(d, ManifestName(v)), m, 0o644)
		}, "differs from terraform-registry-manifest.json"},
		{"manifest not listed", func(d string) { dropLine(t, d, v, ManifestName(v)) }, ManifestName(v) + " is not listed"},
		{"manifest changed since", func(d string) { replaceHash(t, d, v, ManifestName(v)) }, ManifestName(v) + ": SHA-256"},
		// GoReleaser v2.15.1 (goreleaser/goreleaser#6514): the checksum
		// file re-written after signing, with the signature in it.
		{"signature listed", func(d string) {
			f, _ := os.OpenFile(filepath.Join(d, SumsName(v)), os.O_APPEND|os.O_WRONLY, 0)
			s := sha256.Sum256([]byte("sig"))
			fmt.Fprintf(f, "%s  %s.sig\n", hex.EncodeToString(s[:]), SumsName(v))
			_ = f.Close()
		}, "lists its own signature"},
		{"stray file listed", func(d string) {
			f, _ := os.OpenFile(filepath.Join(d, SumsName(v)), os.O_APPEND|os.O_WRONLY, 0)
			fmt.Fprintf(f, "%064d  README.md\n", 0)
			_ = f.Close()
		}, "lists README.md"},
	} {
		d := t.TempDir()
		writeDist(t, d, v, targets, manifest)
		c.breakIt(d)
		var msgs []string
		for _, e := range CheckDist(d, v, targets, manifest) {
			msgs = append(msgs, e.Error())
		}
		if !strings.Contains(strings.Join(msgs, "\n"), c.want) {
			t.Errorf("%s: errors %q, want one mentioning %q", c.name, msgs, c.want)
		}
	}

	// The manifest also in dist/, unchanged, is fine.
	d := t.TempDir()
	writeDist(t, d, v, targets, manifest)
	if err := os.WriteFile(filepath.Join(d, ManifestName(v)), manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	if errs := CheckDist(d, v, targets, manifest); len(errs) != 0 {
		t.Errorf("with the manifest copied into dist/: %v", errs)
	}

	// A missing platform is reported once, not also as a stray line.
	d = t.TempDir()
	writeDist(t, d, v, []string{"linux_amd64"}, manifest)
	if errs := CheckDist(d, v, []string{"linux_amd64", "darwin_arm64"}, manifest); len(errs) != 1 || !strings.Contains(errs[0].Error(), ZipName(v, "darwin_arm64")) {
		t.Errorf("a missing platform: errors %v, want one naming %s", errs, ZipName(v, "darwin_arm64"))
	}
	if BinaryName(v, "windows_amd64") != "terraform-provider-m365harden_v0.1.0.exe" || ZipName(v, "linux_arm64") != "terraform-provider-m365harden_0.1.0_linux_arm64.zip" {
		t.Errorf("names: %s %s", BinaryName(v, "windows_amd64"), ZipName(v, "linux_arm64"))
	}
}

// dropLine removes name's line from the checksum file in d.
func dropLine(t *testing.T, d, v, name string) {
	t.Helper()
	editSums(t, d, v, func(line string) string {
		if strings.HasSuffix(line, "  "+name) {
			return ""
		}
		return line + "\n"
	})
}

// replaceHash gives name another hash in the checksum file in d.
func replaceHash(t *testing.T, d, v, name string) {
	t.Helper()
	editSums(t, d, v, func(line string) string {
		if strings.HasSuffix(line, "  "+name) {
			return fmt.Sprintf("%064d  %s\n", 0, name)
		}
		return line + "\n"
	})
}

func editSums(t *testing.T, d, v string, edit func(string) string) {
	t.Helper()
	p := filepath.Join(d, SumsName(v))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		out.WriteString(edit(line))
	}
	if err := os.WriteFile(p, []byte(out.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
