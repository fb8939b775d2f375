package signins_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
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
func shifted(s string) string { return shiftedTo(anchor, s) }

// shiftedTo moves them to the frame of the anchor a.
func shiftedTo(a time.Time, s string) string {
	delta := a.Sub(referenceAnchor)
	return timestampRE.ReplaceAllStringFunc(s, func(ts string) string {
		t, err := time.Parse(time.RFC3339, ts)
		if err != nil {
			return ts
		}
		return t.Add(delta).Format(time.RFC3339)
	})
}

// TestShiftedWindowsStayInsideRetention runs the helpers with clocks after
// 2026-12-23 (when the reference dates themselves fall out of the 30-day
// retention): the anchor is a noon at most 36 hours back, and every
// timestamp the acceptance tests write, shifted, keeps its time of day and
// lies inside the retention that the provider and m365sim compute from the
// same clock.
func TestShiftedWindowsStayInsideRetention(t *testing.T) {
	const retention = 30 * 24 * time.Hour
	var written []string
	files, err := filepath.Glob("data_source_*_test.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no acceptance test files: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		written = append(written, timestampRE.FindAllString(string(b), -1)...)
	}
	if len(written) < 10 {
		t.Fatalf("found only %d timestamps in %v", len(written), files)
	}
	for _, now := range []time.Time{
		time.Date(2026, 12, 23, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 24, 11, 59, 59, 0, time.UTC),
		time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2028, 2, 29, 23, 59, 0, 0, time.UTC),
		time.Date(2031, 7, 15, 6, 30, 0, 0, time.UTC),
	} {
		a := recentNoon(now)
		if a.After(now) || now.Sub(a) >= 36*time.Hour || a.Hour() != 12 || a.Minute() != 0 {
			t.Errorf("now %s: anchor %s is not the latest noon at or before it", now, a)
		}
		for _, ts := range written {
			ref, _ := time.Parse(time.RFC3339, ts)
			got, err := time.Parse(time.RFC3339, shiftedTo(a, ts))
			if err != nil {
				t.Fatal(err)
			}
			if got.Before(now.Add(-retention)) || got.After(now) {
				t.Errorf("now %s: %s shifts to %s, outside the retention [%s, %s]", now, ts, got, now.Add(-retention), now)
			}
			if got.Format("15:04:05") != ref.Format("15:04:05") || got.Sub(ref)%(24*time.Hour) != 0 {
				t.Errorf("now %s: %s shifts to %s, not by whole days", now, ts, got)
			}
		}
	}
}
