package conv

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Exchange time spans (EnhancedTimeSpan, e.g. Set-Mailbox -AuditLogAgeLimit)
// are .NET TimeSpan values, written in the constant ("c") format
// "[-][d.]hh:mm:ss[.fffffff]": https://learn.microsoft.com/dotnet/standard/base-types/standard-timespan-format-strings#the-constant-c-format-specifier.
// A time span is exact to one tick (100 ns); these helpers keep it exact, so
// a value such as 365.12:00:00 is never rounded to a whole number of days.

const day = 24 * time.Hour

// tick is the TimeSpan resolution.
const tick = 100 * time.Nanosecond

// ParseTimeSpan parses a TimeSpan in the constant format; a bare integer is a
// number of days (as TimeSpan.Parse reads it).
func ParseTimeSpan(s string) (time.Duration, error) {
	in := s
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	bad := fmt.Errorf("%q is not a time span (d.hh:mm:ss)", in)
	if s == "" {
		return 0, bad
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return sign(neg, time.Duration(n)*day), nil
	}
	var days int64
	rest := s
	if i, j := strings.Index(s, "."), strings.Index(s, ":"); i >= 0 && j >= 0 && i < j {
		d, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil {
			return 0, bad
		}
		days, rest = d, s[i+1:]
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 {
		return 0, bad
	}
	secPart, frac, hasFrac := strings.Cut(parts[2], ".")
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	sec, err3 := strconv.Atoi(secPart)
	if err1 != nil || err2 != nil || err3 != nil || h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59 {
		return 0, bad
	}
	var fracTicks int64
	if hasFrac {
		if frac == "" || len(frac) > 7 || strings.Trim(frac, "0123456789") != "" {
			return 0, bad
		}
		n, _ := strconv.ParseInt((frac + "0000000")[:7], 10, 64)
		fracTicks = n
	}
	d := time.Duration(days)*day + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(sec)*time.Second + time.Duration(fracTicks)*tick
	return sign(neg, d), nil
}

func sign(neg bool, d time.Duration) time.Duration {
	if neg {
		return -d
	}
	return d
}

// FormatTimeSpan renders a duration in the constant format, as Exchange
// reports it: "90.00:00:00", "365.12:00:00", "00:30:00",
// "1.00:00:00.5000000". Sub-tick precision is dropped.
func FormatTimeSpan(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	days := int64(d / day)
	d %= day
	h := int64(d / time.Hour)
	d %= time.Hour
	m := int64(d / time.Minute)
	d %= time.Minute
	s := int64(d / time.Second)
	d %= time.Second
	if days > 0 {
		fmt.Fprintf(&b, "%d.", days)
	}
	fmt.Fprintf(&b, "%02d:%02d:%02d", h, m, s)
	if ticks := d / tick; ticks > 0 {
		fmt.Fprintf(&b, ".%07d", ticks)
	}
	return b.String()
}

// FormatDays renders whole days: "90.00:00:00".
func FormatDays(days int64) string { return FormatTimeSpan(time.Duration(days) * day) }

// WholeDays returns d in whole days, rounded down, and whether d is exactly
// that many days.
func WholeDays(d time.Duration) (int64, bool) {
	return int64(d / day), d%day == 0
}
