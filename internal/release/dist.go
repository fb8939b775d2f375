package release

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Manifest is terraform-registry-manifest.json.
type Manifest struct {
	Version  int `json:"version"`
	Metadata struct {
		ProtocolVersions []string `json:"protocol_versions"`
	} `json:"metadata"`
}

// CheckManifest checks the registry manifest: version 1, and plugin
// protocol 6.0, the protocol main.go serves (providerserver with
// terraform-plugin-framework, Terraform 1.0 and later).
func CheckManifest(b []byte) error {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("terraform-registry-manifest.json: %w", err)
	}
	if m.Version != 1 {
		return fmt.Errorf("terraform-registry-manifest.json: version %d, want 1", m.Version)
	}
	if !slices.Equal(m.Metadata.ProtocolVersions, []string{"6.0"}) {
		return fmt.Errorf("terraform-registry-manifest.json: protocol_versions %v, want [6.0] (the provider serves protocol 6)", m.Metadata.ProtocolVersions)
	}
	return nil
}

// ZipName is a platform's archive name.
func ZipName(version, target string) string {
	return ProjectName + "_" + version + "_" + target + ".zip"
}

// BinaryName is the provider binary inside a platform's archive.
func BinaryName(version, target string) string {
	name := ProjectName + "_v" + version
	if strings.HasPrefix(target, "windows_") {
		name += ".exe"
	}
	return name
}

// SumsName is the checksum file's name.
func SumsName(version string) string { return ProjectName + "_" + version + "_SHA256SUMS" }

// ManifestName is the name the manifest is published under.
func ManifestName(version string) string { return ProjectName + "_" + version + "_manifest.json" }

// CheckDist checks a release folder (GoReleaser's dist/) for version and
// targets: a zip per target holding exactly the binary, the checksum file
// listing every zip and the manifest with their SHA-256, its signature
// file, and the manifest equal to repoManifest. Signature validity is
// checked by the caller (it needs the key).
func CheckDist(dir, version string, targets []string, repoManifest []byte) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	sums, err := os.ReadFile(filepath.Join(dir, SumsName(version)))
	if err != nil {
		return append(errs, fmt.Errorf("checksum file: %w", err))
	}
	listed := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			bad("%s: malformed line %q", SumsName(version), sc.Text())
			continue
		}
		listed[f[1]] = f[0]
	}
	want := []string{ManifestName(version)}
	for _, t := range targets {
		want = append(want, ZipName(version, t))
	}
	for _, name := range want {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			bad("%s: %v", name, err)
			continue
		}
		sum := sha256.Sum256(b)
		switch got, ok := listed[name]; {
		case !ok:
			bad("%s is not listed in %s", name, SumsName(version))
		case got != hex.EncodeToString(sum[:]):
			bad("%s: SHA-256 %s, %s lists %s", name, hex.EncodeToString(sum[:]), SumsName(version), got)
		}
		delete(listed, name)
		if strings.HasSuffix(name, ".zip") {
			target := strings.TrimSuffix(strings.TrimPrefix(name, ProjectName+"_"+version+"_"), ".zip")
			if err := checkZip(b, BinaryName(version, target)); err != nil {
				bad("%s: %v", name, err)
			}
		}
	}
	for name := range listed {
		bad("%s lists %s, which is not an archive of this release", SumsName(version), name)
	}
	if st, err := os.Stat(filepath.Join(dir, SumsName(version)+".sig")); err != nil || st.Size() == 0 {
		bad("%s.sig: missing or empty (the registry needs the detached signature)", SumsName(version))
	}
	if m, err := os.ReadFile(filepath.Join(dir, ManifestName(version))); err == nil {
		if !bytes.Equal(m, repoManifest) {
			bad("%s differs from terraform-registry-manifest.json", ManifestName(version))
		}
		if err := CheckManifest(m); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// checkZip checks that an archive holds exactly the provider binary.
func checkZip(b []byte, binary string) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return err
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, []string{binary}) {
		return fmt.Errorf("holds %v, want only %s", names, binary)
	}
	if zr.File[0].UncompressedSize64 == 0 {
		return fmt.Errorf("%s is empty", binary)
	}
	return nil
}
