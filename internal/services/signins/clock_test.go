package signins_test

import (
	"regexp"
	"time"
)

// The sign-in logs keep 30 days (the provider refuses an older `since` and
// m365sim refuses an older createdDateTime bound), so the seeded histories
// cannot sit at a fixed date: they end at the latest noon (UTC) at or before
// the test's start. The expected values are written against a reference
// anchor, 2026-11-30T12:00:00Z, and shifted by whole days to the real one, so
// every time of day in them stays as written.
var (
	referenceAnchor = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	anchor          = recentNoon(time.Now())
	timestampRE     = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)
)

func recentNoon(now time.Time) time.Time {
	d := now.UTC().Add(-12 * time.Hour)
	return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, time.UTC)
}

// shifted moves every RFC 3339 UTC timestamp in s from the reference
// anchor's frame to the real anchor's.
func shifted(s string) string {
	delta := anchor.Sub(referenceAnchor)
	return timestampRE.ReplaceAllStringFunc(s, func(ts string) string {
		t, err := time.Parse(time.RFC3339, ts)
		if err != nil {
			return ts
		}
		return t.Add(delta).Format(time.RFC3339)
	})
}
