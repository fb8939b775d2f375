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
// listing every zip and the manifest with their SHA-256 and nothing else
// (not its own signature), and its signature file. Signature validity is
// checked by the caller (it needs the key).
//
// The manifest is published from the repository: release.extra_files
// uploads terraform-registry-manifest.json under ManifestName and
// checksum.extra_files hashes it under that name, but GoReleaser copies
// neither into dist/ (internal/extrafiles only resolves the glob). So the
// checksum file's manifest line is checked against repoManifest, and a
// dist/ copy, if some step left one, must equal it.
func CheckDist(dir, version string, targets []string, repoManifest []byte) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	sumsName := SumsName(version)

	sums, err := os.ReadFile(filepath.Join(dir, sumsName))
	if err != nil {
		return append(errs, fmt.Errorf("checksum file: %w", err))
	}
	listed := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			bad("%s: malformed line %q", sumsName, sc.Text())
			continue
		}
		listed[f[1]] = f[0]
	}
	checkListed := func(name string, b []byte) {
		sum := sha256.Sum256(b)
		switch got, ok := listed[name]; {
		case !ok:
			bad("%s is not listed in %s", name, sumsName)
		case got != hex.EncodeToString(sum[:]):
			bad("%s: SHA-256 %s, %s lists %s", name, hex.EncodeToString(sum[:]), sumsName, got)
		}
		delete(listed, name)
	}

	checkListed(ManifestName(version), repoManifest)
	if err := CheckManifest(repoManifest); err != nil {
		errs = append(errs, err)
	}
	if m, err := os.ReadFile(filepath.Join(dir, ManifestName(version))); err == nil && !bytes.Equal(m, repoManifest) {
		bad("%s in %s differs from terraform-registry-manifest.json", ManifestName(version), dir)
	}

	for _, t := range targets {
		name := ZipName(version, t)
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			bad("%s: %v", name, err)
			delete(listed, name)
			continue
		}
		checkListed(name, b)
		if err := checkZip(b, BinaryName(version, t)); err != nil {
			bad("%s: %v", name, err)
		}
	}
	for name := range listed {
		if name == sumsName+".sig" {
			// GoReleaser v2.15.x re-wrote the checksum file after signing
			// it, adding the signature (goreleaser/goreleaser#6514).
			bad("%s lists its own signature %s: it was rewritten after signing, so the signature cannot match", sumsName, name)
			continue
		}
		bad("%s lists %s, which is not an archive or the manifest of this release", sumsName, name)
	}
	if st, err := os.Stat(filepath.Join(dir, sumsName+".sig")); err != nil || st.Size() == 0 {
		bad("%s.sig: missing or empty (the registry needs the detached signature)", sumsName)
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
