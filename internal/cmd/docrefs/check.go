package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// patterns are the references that point outside the repository. They are
// narrow on purpose so that ordinary words never match: the note names only
// in upper case and only as a file name (".md") or with a section sign, and
// the notes' folder only as a relative path from the checkout or as its
// absolute path on the development machines. "legacy protocols",
// "Controls:", docs/guides/controls.md or internal/shared do not match.
var patterns = []struct {
	re   *regexp.Regexp
	what string
}{
	{regexp.MustCompile(`\b(?:PROTOCOLS|CONTROLS|ARCHITECTURE|STYLE)\.md\b`), "a design note by file name"},
	{regexp.MustCompile(`\b(?:PROTOCOLS|CONTROLS|ARCHITECTURE|STYLE)\s*§`), "a section of a design note"},
	{regexp.MustCompile(`\.\./shared\b`), "the folder outside the checkout"},
	{regexp.MustCompile(`/work/share[d]\b`), "the folder outside the checkout"},
}

// Finding is one reference.
type Finding struct {
	File string
	Line int
	What string
	Text string
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", f.File, f.Line, f.What, f.Text)
}

// scan returns the references in one file's content. Binary content (a NUL
// byte in the first 8000 bytes, git's own test) is skipped.
func scan(name string, content []byte) []Finding {
	head := content
	if len(head) > 8000 {
		head = head[:8000]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return nil
	}
	var out []Finding
	sc := bufio.NewScanner(bytes.NewReader(content))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		for _, p := range patterns {
			if p.re.MatchString(line) {
				text := strings.TrimSpace(line)
				if len(text) > 160 {
					text = text[:160] + "…"
				}
				out = append(out, Finding{File: name, Line: n, What: p.what, Text: text})
				break
			}
		}
	}
	return out
}

// excluded reports whether a repository path is not checked: the CI
// scripts under .ci/.
func excluded(path string) bool {
	return path == ".ci" || strings.HasPrefix(path, ".ci/")
}

// listFiles lists the files git tracks in dir, and the untracked files it
// does not ignore (so a new file fails before it is committed).
func listFiles(dir string) ([]string, error) {
	cmd := exec.Command("git", "-C", dir, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files in %s: %v: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	seen := map[string]bool{}
	var files []string
	for _, f := range strings.Split(string(out), "\x00") {
		if f == "" || seen[f] || excluded(f) {
			continue
		}
		seen[f] = true
		files = append(files, f)
	}
	sort.Strings(files)
	return files, nil
}

// checkFiles scans the files (paths relative to dir). A listed file that no
// longer exists (deleted, not yet staged) is skipped.
func checkFiles(dir string, files []string) ([]Finding, error) {
	var out []Finding
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return nil, err
		}
		out = append(out, scan(f, b)...)
	}
	return out, nil
}
