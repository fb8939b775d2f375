// Package bench holds `make bench`'s size and start-up benchmark (the
// provider built as released beside internal/cmd/trivialprovider, a
// terraform-plugin-framework provider with one resource) and the
// tenant-baseline module applied to several tenants in one configuration.
package bench

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// A provider built as released (-trimpath, -tags=grpcnotrace, -s -w; see
// .goreleaser.yml) and installed in a
// -plugin-dir working directory.
type built struct {
	dir      string // initialised Terraform working directory
	plugins  string // the -plugin-dir holding the binary
	env      []string
	size     int64 // binary bytes
	zipSize  int64 // zip -9 of the binary
	buildErr error
}

var (
	once  = map[string]*sync.Once{"m365harden": {}, "trivial": {}}
	cache = map[string]*built{}
)

func build(b testing.TB, name, pkg, source string) *built {
	b.Helper()
	once[name].Do(func() {
		cache[name] = buildAndInit(name, pkg, source)
	})
	p := cache[name]
	if p.buildErr != nil {
		b.Fatal(p.buildErr)
	}
	return p
}

func buildAndInit(name, pkg, source string) *built {
	p := &built{}
	root, err := filepath.Abs("../..")
	if err != nil {
		p.buildErr = err
		return p
	}
	work, err := os.MkdirTemp("", "m365harden-bench-")
	if err != nil {
		p.buildErr = err
		return p
	}
	plat := runtime.GOOS + "_" + runtime.GOARCH
	p.plugins = filepath.Join(work, "plugins")
	bin := filepath.Join(work, "plugins", "registry.terraform.io", source, "0.0.1", plat, "terraform-provider-"+name+"_v0.0.1")
	cmd := exec.Command("go", "build", "-trimpath", "-tags=grpcnotrace", "-ldflags=-s -w", "-o", bin, pkg)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		p.buildErr = &cmdError{"go build " + pkg, err, out}
		return p
	}
	raw, err := os.ReadFile(bin)
	if err != nil {
		p.buildErr = err
		return p
	}
	p.size = int64(len(raw))
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) })
	f, _ := zw.Create(filepath.Base(bin))
	_, _ = f.Write(raw)
	_ = zw.Close()
	p.zipSize = int64(zb.Len())

	p.dir = filepath.Join(work, "config")
	_ = os.MkdirAll(p.dir, 0o755)
	hcl := "terraform {\n  required_providers {\n    " + name + " = {\n      source = \"" + source + "\"\n      version = \"0.0.1\"\n    }\n  }\n}\n"
	_ = os.WriteFile(filepath.Join(p.dir, "main.tf"), []byte(hcl), 0o644)
	rc := filepath.Join(work, "terraformrc")
	_ = os.WriteFile(rc, nil, 0o644)
	p.env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	cmd = exec.Command("terraform", "init", "-input=false", "-plugin-dir="+filepath.Join(work, "plugins"))
	cmd.Dir, cmd.Env = p.dir, p.env
	if out, err := cmd.CombinedOutput(); err != nil {
		p.buildErr = &cmdError{"terraform init", err, out}
	}
	return p
}

type cmdError struct {
	what string
	err  error
	out  []byte
}

func (e *cmdError) Error() string { return e.what + ": " + e.err.Error() + "\n" + string(e.out) }

// BenchmarkProviderSchema reports, per provider, the release binary's size
// (bytes), its zip -9 size (zip-bytes) and, as the time per op, one
// `terraform providers schema -json` (Terraform starts the provider and
// reads its schema). The binaries are built once per run.
func BenchmarkProviderSchema(b *testing.B) {
	for _, p := range []struct{ name, pkg, source string }{
		{"m365harden", ".", "m365harden/m365harden"},
		{"trivial", "./internal/cmd/trivialprovider", "bench/trivial"},
	} {
		b.Run(p.name, func(b *testing.B) {
			pr := build(b, p.name, p.pkg, p.source)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				cmd := exec.Command("terraform", "providers", "schema", "-json")
				cmd.Dir, cmd.Env = pr.dir, pr.env
				out, err := cmd.Output()
				if err != nil || !bytes.Contains(out, []byte(`"provider_schemas"`)) {
					b.Fatalf("terraform providers schema -json: %v\n%s", err, out)
				}
			}
			b.ReportMetric(float64(pr.size), "bytes")
			b.ReportMetric(float64(pr.zipSize), "zip-bytes")
		})
	}
}
