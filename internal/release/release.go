// Package release checks the provider's release as the Terraform Registry
// consumes it: the GoReleaser configuration (.goreleaser.yml) before a
// release, and the files a release produces (dist/) after one.
//
// The registry's requirements, as HashiCorp's provider scaffolding
// (github.com/hashicorp/terraform-provider-scaffolding-framework,
// .goreleaser.yml) implements them and the registry's publishing
// documentation (https://developer.hashicorp.com/terraform/registry/providers/publishing)
// describes them: one zip per platform named
// terraform-provider-{NAME}_{VERSION}_{OS}_{ARCH}.zip holding the binary
// terraform-provider-{NAME}_v{VERSION}; a {NAME}_{VERSION}_SHA256SUMS file
// covering the zips and the registry manifest; a detached GPG signature
// {...}_SHA256SUMS.sig; and {...}_manifest.json, the repository's
// terraform-registry-manifest.json, naming the plugin protocol versions.
package release

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ProjectName is the provider's binary and archive prefix.
const ProjectName = "terraform-provider-m365harden"

// RequiredTargets are the platforms every release builds: those of
// HashiCorp's provider scaffolding (freebsd, windows, linux and darwin on
// amd64, 386, arm and arm64, without darwin_386 and windows_arm).
var RequiredTargets = []string{
	"darwin_amd64", "darwin_arm64",
	"freebsd_386", "freebsd_amd64", "freebsd_arm", "freebsd_arm64",
	"linux_386", "linux_amd64", "linux_arm", "linux_arm64",
	"windows_386", "windows_amd64", "windows_arm64",
}

// Config is the part of a GoReleaser v2 configuration the checks read.
type Config struct {
	Version     int    `yaml:"version"`
	ProjectName string `yaml:"project_name"`
	Builds      []struct {
		Env          []string `yaml:"env"`
		ModTimestamp string   `yaml:"mod_timestamp"`
		Flags        []string `yaml:"flags"`
		Ldflags      []string `yaml:"ldflags"`
		Goos         []string `yaml:"goos"`
		Goarch       []string `yaml:"goarch"`
		Targets      []string `yaml:"targets"`
		Ignore       []struct {
			Goos   string `yaml:"goos"`
			Goarch string `yaml:"goarch"`
		} `yaml:"ignore"`
		Binary string `yaml:"binary"`
	} `yaml:"builds"`
	Archives []struct {
		Formats      []string `yaml:"formats"`
		NameTemplate string   `yaml:"name_template"`
		Files        []string `yaml:"files"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string      `yaml:"name_template"`
		Algorithm    string      `yaml:"algorithm"`
		ExtraFiles   []extraFile `yaml:"extra_files"`
	} `yaml:"checksum"`
	Signs []struct {
		Artifacts string   `yaml:"artifacts"`
		Args      []string `yaml:"args"`
	} `yaml:"signs"`
	Release struct {
		ExtraFiles []extraFile `yaml:"extra_files"`
	} `yaml:"release"`
}

type extraFile struct {
	Glob         string `yaml:"glob"`
	NameTemplate string `yaml:"name_template"`
}

// LoadConfig reads a GoReleaser configuration, refusing unknown keys at the
// levels Config models so a misspelt key is not silently ignored.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseConfig(b)
}

// ParseConfig parses a GoReleaser configuration.
func ParseConfig(b []byte) (*Config, error) {
	var c Config
	if err := yaml.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// Targets are the os_arch pairs the first build produces.
func (c *Config) Targets() []string {
	if len(c.Builds) == 0 {
		return nil
	}
	b := c.Builds[0]
	if len(b.Targets) > 0 {
		out := slices.Clone(b.Targets)
		sort.Strings(out)
		return out
	}
	var out []string
	for _, os := range b.Goos {
		for _, arch := range b.Goarch {
			ignored := false
			for _, ig := range b.Ignore {
				if ig.Goos == os && ig.Goarch == arch {
					ignored = true
				}
			}
			if !ignored && goPorts[os+"_"+arch] {
				out = append(out, os+"_"+arch)
			}
		}
	}
	sort.Strings(out)
	return out
}

// goPorts are the ports Go 1.26 supports among the operating systems and
// architectures a provider release uses (`go tool dist list`); GoReleaser
// skips the other combinations (darwin_arm, windows_arm) itself.
var goPorts = map[string]bool{
	"darwin_amd64": true, "darwin_arm64": true,
	"freebsd_386": true, "freebsd_amd64": true, "freebsd_arm": true, "freebsd_arm64": true,
	"linux_386": true, "linux_amd64": true, "linux_arm": true, "linux_arm64": true,
	"openbsd_386": true, "openbsd_amd64": true, "openbsd_arm": true, "openbsd_arm64": true,
	"windows_386": true, "windows_amd64": true, "windows_arm64": true,
}

const manifestName = "{{ .ProjectName }}_{{ .Version }}_manifest.json"

// Check returns every way c differs from a registry release of this
// provider. nil means none.
func (c *Config) Check() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Version != 2 {
		bad("version = %d, want 2 (GoReleaser v2 configuration)", c.Version)
	}
	if c.ProjectName != ProjectName {
		bad("project_name = %q, want %q (otherwise GoReleaser derives it from the checkout's folder)", c.ProjectName, ProjectName)
	}
	if len(c.Builds) != 1 {
		bad("%d builds, want exactly 1", len(c.Builds))
	} else {
		b := c.Builds[0]
		if !slices.Contains(b.Env, "CGO_ENABLED=0") {
			bad("builds[0].env lacks CGO_ENABLED=0 (a static binary)")
		}
		if !slices.Contains(b.Flags, "-trimpath") {
			bad("builds[0].flags lacks -trimpath")
		}
		if !slices.Contains(b.Flags, "-tags=grpcnotrace") {
			bad("builds[0].flags lacks -tags=grpcnotrace (gRPC without golang.org/x/net/trace, as the GNUmakefile builds)")
		}
		ld := strings.Join(b.Ldflags, " ")
		for _, f := range []string{"-s", "-w"} {
			if !slices.Contains(strings.Fields(ld), f) {
				bad("builds[0].ldflags lacks %s", f)
			}
		}
		if !strings.Contains(ld, "-X main.version={{ .Version }}") && !strings.Contains(ld, "-X main.version={{.Version}}") {
			bad("builds[0].ldflags does not stamp main.version with {{ .Version }}")
		}
		if b.Binary != "{{ .ProjectName }}_v{{ .Version }}" {
			bad("builds[0].binary = %q, want {{ .ProjectName }}_v{{ .Version }} (the name Terraform looks for)", b.Binary)
		}
		if b.ModTimestamp == "" {
			bad("builds[0].mod_timestamp is not set (reproducible archives)")
		}
		got := c.Targets()
		for _, t := range RequiredTargets {
			if !slices.Contains(got, t) {
				bad("platform %s is not built", t)
			}
		}
	}
	if len(c.Archives) != 1 {
		bad("%d archives, want exactly 1", len(c.Archives))
	} else {
		a := c.Archives[0]
		if !slices.Equal(a.Formats, []string{"zip"}) {
			bad("archives[0].formats = %v, want [zip]", a.Formats)
		}
		if a.NameTemplate != "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}" {
			bad("archives[0].name_template = %q, want {{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}", a.NameTemplate)
		}
	}
	if c.Checksum.NameTemplate != "{{ .ProjectName }}_{{ .Version }}_SHA256SUMS" {
		bad("checksum.name_template = %q, want {{ .ProjectName }}_{{ .Version }}_SHA256SUMS", c.Checksum.NameTemplate)
	}
	if c.Checksum.Algorithm != "sha256" {
		bad("checksum.algorithm = %q, want sha256", c.Checksum.Algorithm)
	}
	if !hasManifest(c.Checksum.ExtraFiles) {
		bad("checksum.extra_files does not add terraform-registry-manifest.json as %s", manifestName)
	}
	if !hasManifest(c.Release.ExtraFiles) {
		bad("release.extra_files does not upload terraform-registry-manifest.json as %s", manifestName)
	}
	signed := false
	for _, s := range c.Signs {
		if s.Artifacts == "checksum" && slices.Contains(s.Args, "--detach-sign") && slices.Contains(s.Args, "${signature}") && slices.Contains(s.Args, "--batch") {
			signed = true
		}
	}
	if !signed {
		bad("no signs entry makes a detached GPG signature of the checksum file (artifacts: checksum, --batch, --detach-sign, --output ${signature})")
	}
	return errs
}

func hasManifest(files []extraFile) bool {
	for _, f := range files {
		if f.Glob == "terraform-registry-manifest.json" && f.NameTemplate == manifestName {
			return true
		}
	}
	return false
}

// CheckGoreleaserVersion rejects a GoReleaser version (as pinned in the
// GNUmakefile, vMAJOR.MINOR.PATCH) that cannot make a registry release.
// v2.15.0 and v2.15.1 add the checksum file's own signature to the
// checksum file after signing it, so SHA256SUMS.sig no longer verifies
// (goreleaser/goreleaser#6508 for signs.artifacts: all, #6514 for
// artifacts: checksum, which this configuration uses); v2.16.0 excludes
// signatures and certificates from the checksums again.
func CheckGoreleaserVersion(v string) error {
	var major, minor, patch int
	if n, err := fmt.Sscanf(v, "v%d.%d.%d", &major, &minor, &patch); n != 3 || err != nil || fmt.Sprintf("v%d.%d.%d", major, minor, patch) != v {
		return fmt.Errorf("GoReleaser %q: pin a release version vMAJOR.MINOR.PATCH", v)
	}
	if major != 2 {
		return fmt.Errorf("GoReleaser %s: .goreleaser.yml is a v2 configuration", v)
	}
	if minor == 15 {
		return fmt.Errorf("GoReleaser %s lists SHA256SUMS.sig in SHA256SUMS after signing it, so the signature does not verify (goreleaser/goreleaser#6514); pin v2.16.0 or later", v)
	}
	return nil
}
