// Command docrefs fails when a file of the repository points at material
// that is not part of it: the project's private design notes (by their file
// names) or the folder they live in, a sibling of the checkout. Registry
// readers, contributors and maintainers cannot open those; documentation and
// code comments must cite public sources instead (a Microsoft page, a public
// issue, a published capture, a baseline's published text).
//
//	go run ./internal/cmd/docrefs [-C DIR]
//
// It scans the files git tracks, and untracked files that are not ignored,
// except those under .ci/ (the CI scripts may name the machine's own paths)
// and binary files. It prints each hit as file:line: text and exits 1 when
// there is one, 2 when it cannot list the files. `make docs-validate` (and so
// CI) runs it.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	dir := flag.String("C", ".", "the repository to check")
	flag.Parse()
	files, err := listFiles(*dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "docrefs: %v\n", err)
		os.Exit(2)
	}
	findings, err := checkFiles(*dir, files)
	if err != nil {
		fmt.Fprintf(os.Stderr, "docrefs: %v\n", err)
		os.Exit(2)
	}
	for _, f := range findings {
		fmt.Println(f)
	}
	if len(findings) > 0 {
		fmt.Fprintf(os.Stderr, "docrefs: %d reference(s) to material outside the repository; cite the public source instead (see internal/cmd/docrefs)\n", len(findings))
		os.Exit(1)
	}
	fmt.Printf("docrefs: %d files checked, no references to material outside the repository\n", len(files))
}
