package signins

import (
	"sort"
	"strconv"
	"time"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/graph"
)

// The failed sign-in analysis runs while paging: it sees each event once,
// keeps the newest max_events, and counts. It holds counters per user, IP,
// country and error code and the distinct users per IP (what a spray is),
// never the events themselves, so memory follows the number of distinct
// users and addresses, not the length of the window.

// Defaults of the pattern thresholds.
const (
	defaultSprayMinUsers         = 10
	defaultBruteForceMinFailures = 20
	defaultMaxEvents             = 100
	defaultAggregateLimit        = 25
	// evidenceLimit bounds the user and address lists in each pattern.
	evidenceLimit = 50
	// Entra's error code for a locked account (smart lockout).
	errAccountLocked = 50053
)

type ipAgg struct {
	failures    int
	country     string
	users       map[string]struct{}
	first, last time.Time
}

type userAgg struct {
	failures    int
	ips         map[string]int
	countries   map[string]struct{}
	locked      bool
	first, last time.Time
}

type countryAgg struct {
	failures int
	users    map[string]struct{}
	ips      map[string]struct{}
}

type failureAnalyzer struct {
	maxEvents int
	events    []eventModel
	total     int
	byIP      map[string]*ipAgg
	byUser    map[string]*userAgg
	byCountry map[string]*countryAgg
	byCode    map[string]int
}

func newFailureAnalyzer(maxEvents int) *failureAnalyzer {
	return &failureAnalyzer{maxEvents: maxEvents, byIP: map[string]*ipAgg{}, byUser: map[string]*userAgg{}, byCountry: map[string]*countryAgg{}, byCode: map[string]int{}}
}

func widen(first, last *time.Time, t time.Time) {
	if first.IsZero() || t.Before(*first) {
		*first = t
	}
	if t.After(*last) {
		*last = t
	}
}

func (a *failureAnalyzer) add(s *graph.SignIn) {
	a.total++
	if len(a.events) < a.maxEvents {
		a.events = append(a.events, eventFrom(s))
	}
	ip := a.byIP[s.IPAddress]
	if ip == nil {
		ip = &ipAgg{country: s.CountryOrRegion, users: map[string]struct{}{}}
		a.byIP[s.IPAddress] = ip
	}
	ip.failures++
	ip.users[s.UserPrincipalName] = struct{}{}
	widen(&ip.first, &ip.last, s.CreatedDateTime)

	u := a.byUser[s.UserPrincipalName]
	if u == nil {
		u = &userAgg{ips: map[string]int{}, countries: map[string]struct{}{}}
		a.byUser[s.UserPrincipalName] = u
	}
	u.failures++
	u.ips[s.IPAddress]++
	u.countries[s.CountryOrRegion] = struct{}{}
	if s.ErrorCode == errAccountLocked {
		u.locked = true
	}
	widen(&u.first, &u.last, s.CreatedDateTime)

	c := a.byCountry[s.CountryOrRegion]
	if c == nil {
		c = &countryAgg{users: map[string]struct{}{}, ips: map[string]struct{}{}}
		a.byCountry[s.CountryOrRegion] = c
	}
	c.failures++
	c.users[s.UserPrincipalName] = struct{}{}
	c.ips[s.IPAddress] = struct{}{}

	a.byCode[strconv.Itoa(s.ErrorCode)]++
}

// topCounts sorts by count (descending), then key, and keeps limit.
func topCounts(m map[string]int, limit int) []countModel {
	out := make([]countModel, 0, len(m))
	for k, v := range m {
		out = append(out, countModel{Key: k, Count: int64(v)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func sortedKeys[V any](m map[string]V, limit int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

type thresholds struct {
	sprayMinUsers, bruteMinFailures, aggregateLimit int
	expectedCountries                               map[string]bool // nil = no country check
}

func (a *failureAnalyzer) result(th thresholds) failureResult {
	r := failureResult{Total: int64(a.total), Events: a.events, DistinctUsers: int64(len(a.byUser)), DistinctIPs: int64(len(a.byIP))}
	users, ips, countries := map[string]int{}, map[string]int{}, map[string]int{}
	for k, v := range a.byUser {
		users[k] = v.failures
	}
	for k, v := range a.byIP {
		ips[k] = v.failures
	}
	for k, v := range a.byCountry {
		countries[k] = v.failures
	}
	r.ByUser = topCounts(users, th.aggregateLimit)
	r.ByIP = topCounts(ips, th.aggregateLimit)
	r.ByCountry = topCounts(countries, th.aggregateLimit)
	r.ByErrorCode = topCounts(a.byCode, th.aggregateLimit)

	r.Sprays = []sprayModel{}
	for addr, v := range a.byIP {
		if len(v.users) >= th.sprayMinUsers {
			r.Sprays = append(r.Sprays, sprayModel{
				IPAddress: addr, Country: v.country, UserCount: int64(len(v.users)), FailureCount: int64(v.failures),
				FirstSeen: rfc(v.first), LastSeen: rfc(v.last), Users: sortedKeys(v.users, evidenceLimit),
			})
		}
	}
	sort.Slice(r.Sprays, func(i, j int) bool {
		if r.Sprays[i].UserCount != r.Sprays[j].UserCount {
			return r.Sprays[i].UserCount > r.Sprays[j].UserCount
		}
		return r.Sprays[i].IPAddress < r.Sprays[j].IPAddress
	})
	r.BruteForces = []bruteModel{}
	for upn, v := range a.byUser {
		if v.failures >= th.bruteMinFailures {
			r.BruteForces = append(r.BruteForces, bruteModel{
				UserPrincipalName: upn, FailureCount: int64(v.failures), IPAddresses: sortedKeys(v.ips, evidenceLimit),
				Countries: sortedKeys(v.countries, evidenceLimit), LockedOut: v.locked, FirstSeen: rfc(v.first), LastSeen: rfc(v.last),
			})
		}
	}
	sort.Slice(r.BruteForces, func(i, j int) bool {
		if r.BruteForces[i].FailureCount != r.BruteForces[j].FailureCount {
			return r.BruteForces[i].FailureCount > r.BruteForces[j].FailureCount
		}
		return r.BruteForces[i].UserPrincipalName < r.BruteForces[j].UserPrincipalName
	})
	r.Unexpected = []countryModel{}
	if th.expectedCountries != nil {
		for c, v := range a.byCountry {
			if th.expectedCountries[c] {
				continue
			}
			r.Unexpected = append(r.Unexpected, countryModel{
				Country: c, FailureCount: int64(v.failures), UserCount: int64(len(v.users)),
				Users: sortedKeys(v.users, evidenceLimit), IPAddresses: sortedKeys(v.ips, evidenceLimit),
			})
		}
		sort.Slice(r.Unexpected, func(i, j int) bool {
			if r.Unexpected[i].FailureCount != r.Unexpected[j].FailureCount {
				return r.Unexpected[i].FailureCount > r.Unexpected[j].FailureCount
			}
			return r.Unexpected[i].Country < r.Unexpected[j].Country
		})
	}
	return r
}

type failureResult struct {
	Total, DistinctUsers, DistinctIPs int64
	Events                            []eventModel
	ByUser, ByIP, ByCountry           []countModel
	ByErrorCode                       []countModel
	Sprays                            []sprayModel
	BruteForces                       []bruteModel
	Unexpected                        []countryModel
}

func rfc(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func eventFrom(s *graph.SignIn) eventModel {
	return eventModel{
		ID: s.ID, Time: rfc(s.CreatedDateTime), UserPrincipalName: s.UserPrincipalName, UserDisplayName: s.UserDisplayName,
		AppDisplayName: s.AppDisplayName, ClientAppUsed: s.ClientAppUsed, IPAddress: s.IPAddress,
		City: s.City, State: s.State, Country: s.CountryOrRegion, ErrorCode: int64(s.ErrorCode), FailureReason: s.FailureReason,
		RiskLevelDuringSignIn: s.RiskLevelDuringSignIn, RiskLevelAggregated: s.RiskLevelAggregated, RiskState: s.RiskState, RiskDetail: s.RiskDetail,
	}
}
