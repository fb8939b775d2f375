package m365sim

import (
	"crypto/sha256"
	"fmt"
)

var seeders []func(*Tenant)

// registerSeeder adds a function that creates a new tenant's built-in objects
// (the organization config, the Default remote domain, ...); each area's file
// calls it from init.
func registerSeeder(f func(*Tenant)) { seeders = append(seeders, f) }

func seedBuiltins(t *Tenant) {
	for _, f := range seeders {
		f(t)
	}
}

// stableGUID derives a GUID from a seed, so built-in objects keep their ids
// across restarts.
func stableGUID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	b := h.Sum(nil)
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
