package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The planted references are built at run time so that this file itself
// holds none of them (the check runs over it too).
var (
	noteMD    = func(n string) string { return n + ".md" }
	sharedRel = ".." + "/shared"
	sharedAbs = "/work" + "/shared"
)

func TestScan_findsPlantedReferences(t *testing.T) {
	planted := []string{
		`Controls: ` + noteMD("CONTROLS") + ` "No mailbox-level external forwarding"`,
		`// requiredBuiltinAlerts are the alerts ` + noteMD("PROTOCOLS") + ` lists`,
		`See ` + noteMD("ARCHITECTURE") + ` for the layout.`,
		`# naming follows ` + noteMD("STYLE"),
		`as PROTOCOLS ` + "§" + `4 says`,
		`read ` + sharedRel + `/design first`,
		`reference: ` + sharedRel + `/reference/exchange-cmdlets.json`,
		`copied from ` + sharedAbs + `/reference/scuba-baselines`,
		`(` + noteMD("CONTROLS") + `)`,
	}
	for _, line := range planted {
		content := "first line\n" + line + "\nlast line\n"
		got := scan("planted.md", []byte(content))
		if len(got) != 1 {
			t.Errorf("%q: %d findings, want 1: %v", line, len(got), got)
			continue
		}
		if got[0].Line != 2 || got[0].File != "planted.md" {
			t.Errorf("%q: finding at %s:%d, want planted.md:2", line, got[0].File, got[0].Line)
		}
	}
}

func TestScan_ordinaryWordsPass(t *testing.T) {
	ordinary := []string{
		"`Other clients` (legacy protocols), ... (Graph `clientAppUsed`).",
		"Controls: no automatic forwarding via remote domains",
		"## Controls",
		"See docs/guides/controls.md and templates/guides/architecture.md.tmpl.",
		"The provider's architecture, protocols and style.",
		"PROTOCOLS and CONTROLS as plain upper-case words",
		"import \"example.com/internal/shared\"",
		"the shared/design folder of another project",
		"a .. /shared path with a space",
		"/work/sharedfolder is not it either",
		"Controls.md in mixed case is a page name, not the note",
	}
	for _, line := range ordinary {
		if got := scan("ordinary.md", []byte(line+"\n")); len(got) != 0 {
			t.Errorf("%q: false positive %v", line, got)
		}
	}
}

func TestScan_skipsBinary(t *testing.T) {
	content := append([]byte{0x7f, 'E', 'L', 'F', 0}, []byte(noteMD("CONTROLS"))...)
	if got := scan("bin", content); len(got) != 0 {
		t.Errorf("binary file reported: %v", got)
	}
}

// TestCheck_plantedFileInRepository runs the whole check (git ls-files,
// the .ci/ exclusion, reading files) on a throwaway repository: a clean one
// passes, a reference planted in a tracked file or in an untracked one fails
// with its file and line, and the same text under .ci/ is allowed.
func TestCheck_plantedFileInRepository(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("git is needed: %v", err)
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func() []Finding {
		t.Helper()
		files, err := listFiles(dir)
		if err != nil {
			t.Fatal(err)
		}
		f, err := checkFiles(dir, files)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}

	git("init", "-q")
	write("README.md", "# project\n\nLegacy protocols are blocked.\n")
	write("docs/index.md", "Controls: CIS 6.2.1\n")
	write(".ci/run", "#!/bin/sh\n# CI may name "+sharedAbs+"/reference on its machine\n")
	write(".gitignore", "ignored.txt\n")
	write("ignored.txt", "not checked: "+noteMD("PROTOCOLS")+"\n")
	git("add", "-A")
	git("commit", "-q", "-m", "clean")
	if got := run(); len(got) != 0 {
		t.Fatalf("clean repository: %v", got)
	}

	write("internal/x/x.go", "package x\n\n// As "+noteMD("PROTOCOLS")+" says.\n")
	git("add", "-A")
	git("commit", "-q", "-m", "planted")
	write("templates/new.md.tmpl", "line\nsee "+sharedRel+"/design\n") // untracked, not ignored
	got := run()
	var where []string
	for _, f := range got {
		where = append(where, f.File+":"+strconv.Itoa(f.Line))
	}
	if strings.Join(where, " ") != "internal/x/x.go:3 templates/new.md.tmpl:2" {
		t.Fatalf("findings %v, want internal/x/x.go:3 and templates/new.md.tmpl:2", got)
	}
}
