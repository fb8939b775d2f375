// Command wireaudit sums the wire audit of a test run: the distinct
// InvokeCommand calls (endpoint, cmdlet, parameter names, values of
// parameters with a documented value list) that the acceptance tests sent
// to m365sim and checked against Microsoft's cmdlet reference. Each test
// binary writes its calls to os.TempDir()/m365harden-wire-audit/; `make
// test` clears that folder first and runs this command last.
//
//	go run ./internal/cmd/wireaudit [-dir DIR] [-v]
//
// It re-checks every call and exits 1 when one is not documented.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/m365harden/terraform-provider-m365harden/internal/acctest/wireaudit"
)

func main() {
	dir := flag.String("dir", wireaudit.Dir(), "folder of the audit files")
	verbose := flag.Bool("v", false, "list every call")
	flag.Parse()
	calls, pkgs, err := wireaudit.Load(*dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "wireaudit: %v (run the acceptance tests first)\n", err)
		os.Exit(2)
	}
	bad := 0
	cmdlets := map[string]bool{}
	for _, c := range calls {
		cmdlets[c.Endpoint+" "+c.Cmdlet] = true
		problems := wireaudit.Check(c)
		if *verbose || len(problems) > 0 {
			fmt.Println(c.Key())
		}
		for _, p := range problems {
			bad++
			fmt.Println("  NOT DOCUMENTED:", p)
		}
	}
	fmt.Printf("wire audit: %d distinct provider calls (%d cmdlets) from %d test packages checked against the cmdlet reference; %d problems\n",
		len(calls), len(cmdlets), len(pkgs), bad)
	if bad > 0 {
		os.Exit(1)
	}
}
