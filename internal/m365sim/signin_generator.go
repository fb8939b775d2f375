package m365sim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// A seeded, reproducible sign-in history: everyday traffic plus the attacks
// the sign-in data sources look for. The same options always give the same
// events, so tests can assert exact counts.
//
// Everyday traffic: each user signs in from a home IP address in one of the
// tenant's usual countries (US, GB, DE), to common apps, with a small share
// of ordinary failures (wrong password, MFA required, MFA denied, blocked by
// conditional access) spread evenly over users so no user looks attacked.
//
// Scenarios, all at fixed places in the window:
//   - password spray: SprayUsers distinct users fail once each with
//     50126 from SprayIP (RU) within an hour;
//   - brute force: BruteForceFailures failures on BruteForceUser from
//     BruteForceIP (CN), the last ones 50053 (account locked);
//   - unexpected country: UnexpectedCountryUser fails twice (50074) and then
//     signs in from NG with high sign-in risk (atRisk);
//   - risky sign-ins at each level: medium (remediated, anonymous IP, NL),
//     low (dismissed), and an aggregated high risk from leaked credentials;
//   - risky users and risk detections at low, medium and high.
//
// Error codes and reasons are Microsoft Entra's
// (https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes).

// SignInHistoryOptions configure GenerateSignInHistory.
type SignInHistoryOptions struct {
	// Seed makes the history reproducible.
	Seed int64 `json:"seed"`
	// Count is the number of sign-ins (default 2000, at least the scenarios').
	Count int `json:"count,omitempty"`
	// Failed is the number of failed sign-ins including the attacks'
	// (default 5% of Count, at least the scenarios').
	Failed int `json:"failed,omitempty"`
	// Users in the tenant (default max(40, Count/100)).
	Users int `json:"users,omitempty"`
	// Days the history spans, ending at Anchor (default 7).
	Days int `json:"days,omitempty"`
	// Anchor is the time of the newest sign-in (default: the server's now).
	Anchor time.Time `json:"anchor,omitempty"`
}

// The scenarios' fixed facts.
const (
	SprayIP               = "203.0.113.77"
	SprayCountry          = "RU"
	SprayUsers            = 25
	BruteForceIP          = "198.51.100.23"
	BruteForceCountry     = "CN"
	BruteForceFailures    = 40
	BruteForceLocked      = 10 // of BruteForceFailures, the last ones answer 50053
	UnexpectedCountryIP   = "192.0.2.44"
	UnexpectedCountry     = "NG"
	UnexpectedCountryFail = 2
	AnonymousIP           = "185.220.101.5"
)

// ScenarioFailures is the number of failed sign-ins the scenarios add.
const ScenarioFailures = SprayUsers + BruteForceFailures + UnexpectedCountryFail

// scenarioSignIns is the number of sign-ins the scenarios add.
const scenarioSignIns = ScenarioFailures + 4

// SignInHistorySummary describes a generated history.
type SignInHistorySummary struct {
	Seed                  int64     `json:"seed"`
	Count                 int       `json:"count"`
	Failed                int       `json:"failed"`
	Users                 int       `json:"users"`
	Oldest                time.Time `json:"oldest"`
	Newest                time.Time `json:"newest"`
	SprayIP               string    `json:"spray_ip"`
	SprayUsers            int       `json:"spray_users"`
	BruteForceUser        string    `json:"brute_force_user"`
	BruteForceIP          string    `json:"brute_force_ip"`
	BruteForceFailures    int       `json:"brute_force_failures"`
	UnexpectedCountryUser string    `json:"unexpected_country_user"`
	UnexpectedCountry     string    `json:"unexpected_country"`
	RiskyUsers            int       `json:"risky_users"`
	RiskDetections        int       `json:"risk_detections"`
}

// SignIn is one sign-in event, kept compact (about 130 bytes): users, apps
// and places are shared, the id is derived from Seq when served.
type SignIn struct {
	Seq            uint32
	Created        int64 // Unix seconds
	User           *SignInUser
	App            *SignInApp
	Place          *SignInPlace
	IPAddress      string
	ClientAppUsed  string
	ErrorCode      int32
	FailureReason  string
	RiskDuring     string
	RiskAggregated string
	RiskState      string
	RiskDetail     string
}

// SignInUser is a user of a generated history.
type SignInUser struct{ UPN, ID, DisplayName, HomeIP string }

// SignInApp is an application users sign in to.
type SignInApp struct{ Name, ID, Client string }

// SignInPlace is a sign-in location.
type SignInPlace struct{ City, State, Country string }

// RiskyUser is an Identity Protection risky user.
type RiskyUser struct {
	ID, UserPrincipalName, UserDisplayName string
	RiskLevel, RiskState, RiskDetail       string
	Updated                                time.Time
}

// RiskDetection is an Identity Protection risk detection.
type RiskDetection struct {
	ID, RequestID, UserID, UserPrincipalName, UserDisplayName string
	RiskEventType, RiskLevel, RiskState, RiskDetail           string
	Source, Timing, Activity, IPAddress, City, Country        string
	ActivityAt, Detected                                      time.Time
}

// SignInHistory is a generated history, sign-ins newest first.
type SignInHistory struct {
	Summary        SignInHistorySummary
	SignIns        []SignIn
	RiskyUsers     []RiskyUser
	RiskDetections []RiskDetection
}

var homePlaces = []*SignInPlace{
	{"Seattle", "Washington", "US"}, {"Redmond", "Washington", "US"}, {"New York", "New York", "US"},
	{"Chicago", "Illinois", "US"}, {"Austin", "Texas", "US"}, {"London", "England", "GB"},
	{"Manchester", "England", "GB"}, {"Berlin", "Berlin", "DE"}, {"Munich", "Bavaria", "DE"},
}

var (
	sprayPlace      = &SignInPlace{"Moscow", "Moscow", SprayCountry}
	bruteForcePlace = &SignInPlace{"Shanghai", "Shanghai", BruteForceCountry}
	unexpectedPlace = &SignInPlace{"Lagos", "Lagos", UnexpectedCountry}
	anonymousPlace  = &SignInPlace{"Amsterdam", "North Holland", "NL"}
)

var signInApps = []*SignInApp{
	{"Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000", "Browser"},
	{"Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Mobile Apps and Desktop clients"},
	{"Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000", "Browser"},
	{"Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c", "Mobile Apps and Desktop clients"},
	{"Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Browser"},
	{"Microsoft Authentication Broker", "29d9ed98-a469-4536-ade2-f981bc1d605e", "Mobile Apps and Desktop clients"},
}

// Failure codes of everyday traffic with Entra's failure reasons.
var everydayFailures = []struct {
	code   int32
	reason string
}{
	{50126, "Error validating credentials due to invalid username or password."},
	{50074, "Strong Authentication is required."},
	{500121, "Authentication failed during strong authentication request."},
	{53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance."},
	{50140, "This error occurred due to 'Keep me signed in' interrupt when the user was signing in."},
}

const (
	reasonBadPassword = "Error validating credentials due to invalid username or password."
	reasonLocked      = "Account is locked because user tried to sign in too many times with an incorrect user ID or password."
	reasonMFARequired = "Strong Authentication is required."
)

var firstNames = []string{"adele", "alex", "megan", "nestor", "patti", "lynne", "diego", "grady", "henrietta", "isaiah", "johanna", "joni", "lee", "lidia", "miriam", "pradeep", "christie", "irvin", "allan", "debra"}
var lastNames = []string{"vance", "wilber", "bowen", "wilke", "fernandez", "robbins", "siciliani", "archie", "mueller", "langer", "lauer", "sherman", "gu", "holloway", "graham", "gupta", "cline", "sayers", "deyoung", "berger"}

// GenerateSignInHistory builds a reproducible history for a tenant domain.
func GenerateSignInHistory(domain string, o SignInHistoryOptions) (*SignInHistory, error) {
	if o.Count == 0 {
		o.Count = 2000
	}
	if o.Failed == 0 {
		o.Failed = max(o.Count/20, ScenarioFailures)
	}
	if o.Users == 0 {
		o.Users = max(40, o.Count/100)
	}
	if o.Days == 0 {
		o.Days = 7
	}
	switch {
	case o.Count < scenarioSignIns:
		return nil, fmt.Errorf("count must be at least %d (the attack scenarios' sign-ins)", scenarioSignIns)
	case o.Failed < ScenarioFailures || o.Failed-ScenarioFailures > o.Count-scenarioSignIns:
		return nil, fmt.Errorf("failed must be between %d and %d", ScenarioFailures, o.Count-scenarioSignIns+ScenarioFailures)
	case o.Users < SprayUsers+4 || o.Users > 1_000_000:
		return nil, fmt.Errorf("users must be between %d and 1000000", SprayUsers+4)
	case o.Days < 1 || o.Days > 30:
		return nil, fmt.Errorf("days must be between 1 and 30 (Microsoft Entra keeps sign-ins 30 days)")
	case o.Anchor.IsZero():
		return nil, fmt.Errorf("anchor time is required")
	}
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 0x5157_1a5e))
	anchor := o.Anchor.UTC().Truncate(time.Second)
	span := time.Duration(o.Days) * 24 * time.Hour
	oldest := anchor.Add(-span)
	domain = strings.ToLower(domain)

	users := make([]*SignInUser, o.Users)
	homes := make([]*SignInPlace, o.Users)
	for i := range users {
		f, l := firstNames[i%len(firstNames)], lastNames[(i/len(firstNames))%len(lastNames)]
		n := f + "." + l
		if i >= len(firstNames)*len(lastNames) {
			n += fmt.Sprint(i)
		}
		users[i] = &SignInUser{
			UPN:         n + "@" + domain,
			ID:          stableGUID("signin-user", domain, n),
			DisplayName: strings.ToUpper(f[:1]) + f[1:] + " " + strings.ToUpper(l[:1]) + l[1:],
			HomeIP:      fmt.Sprintf("%d.%d.%d.%d", 20+(i>>16)%50, 40+(i>>8)%200, i%256, 10+i%200),
		}
		homes[i] = homePlaces[i%len(homePlaces)]
	}
	// Scenario users sit at fixed positions so their names are stable.
	bfUser, ucUser, medUser, lowUser, leakUser := users[0], users[1], users[2], users[3], users[4]
	const scenarioUsers = 5

	h := &SignInHistory{SignIns: make([]SignIn, 0, o.Count)}
	add := func(u *SignInUser, at time.Time, ip string, pl *SignInPlace, app int, code int32, reason string) *SignIn {
		a := signInApps[app%len(signInApps)]
		h.SignIns = append(h.SignIns, SignIn{
			Seq: uint32(len(h.SignIns)), Created: at.Unix(), User: u, App: a, Place: pl, IPAddress: ip, ClientAppUsed: a.Client,
			ErrorCode: code, FailureReason: reason, RiskDuring: "none", RiskAggregated: "none", RiskState: "none", RiskDetail: "none",
		})
		return &h.SignIns[len(h.SignIns)-1]
	}

	// Password spray: two days before the anchor, one attempt per user.
	sprayAt := anchor.Add(-50 * time.Hour)
	for i := 0; i < SprayUsers; i++ {
		s := add(users[scenarioUsers+i], sprayAt.Add(time.Duration(i)*2*time.Minute), SprayIP, sprayPlace, 0, 50126, reasonBadPassword)
		s.ClientAppUsed = "Other clients"
	}
	// Brute force on one account, a day before the anchor.
	bfAt := anchor.Add(-26 * time.Hour)
	for i := 0; i < BruteForceFailures; i++ {
		code, reason := int32(50126), reasonBadPassword
		if i >= BruteForceFailures-BruteForceLocked {
			code, reason = 50053, reasonLocked
		}
		add(bfUser, bfAt.Add(time.Duration(i)*30*time.Second), BruteForceIP, bruteForcePlace, 0, code, reason)
	}
	// Unexpected country: two MFA-required failures, then a risky success.
	ucAt := anchor.Add(-5 * time.Hour)
	for i := 0; i < UnexpectedCountryFail; i++ {
		add(ucUser, ucAt.Add(time.Duration(i)*time.Minute), UnexpectedCountryIP, unexpectedPlace, 1, 50074, reasonMFARequired)
	}
	s := add(ucUser, ucAt.Add(3*time.Minute), UnexpectedCountryIP, unexpectedPlace, 1, 0, "")
	s.RiskDuring, s.RiskAggregated, s.RiskState = "high", "high", "atRisk"
	// Risky sign-ins at medium and low, and an aggregated high risk.
	s = add(medUser, anchor.Add(-30*time.Hour), AnonymousIP, anonymousPlace, 2, 0, "")
	s.RiskDuring, s.RiskAggregated, s.RiskState, s.RiskDetail = "medium", "medium", "remediated", "userPerformedSecuredPasswordChange"
	s = add(lowUser, anchor.Add(-70*time.Hour), lowUser.HomeIP, homes[3], 3, 0, "")
	s.RiskDuring, s.RiskAggregated, s.RiskState, s.RiskDetail = "low", "low", "dismissed", "adminDismissedAllRiskForUser"
	s = add(leakUser, anchor.Add(-3*time.Hour), leakUser.HomeIP, homes[4], 4, 0, "")
	s.RiskAggregated, s.RiskState = "high", "atRisk"

	// Everyday traffic. Failures are evenly spaced through the sequence and
	// go round-robin to the users outside the scenarios, so no user or home
	// address comes near an attack's pattern.
	normal := o.Count - scenarioSignIns
	normalFailed := o.Failed - ScenarioFailures
	others := len(users) - scenarioUsers
	for i := 0; i < normal; i++ {
		at := oldest.Add(time.Duration(rng.Int64N(int64(span))))
		app := rng.IntN(len(signInApps))
		if normalFailed > 0 && (i*normalFailed)/normal != ((i+1)*normalFailed)/normal {
			k := scenarioUsers + ((i*normalFailed)/normal)%others
			f := everydayFailures[rng.IntN(len(everydayFailures))]
			add(users[k], at, users[k].HomeIP, homes[k], app, f.code, f.reason)
			continue
		}
		k := rng.IntN(len(users))
		add(users[k], at, users[k].HomeIP, homes[k], app, 0, "")
	}
	// Newest first; Seq (unique) breaks ties so the order is reproducible.
	slices.SortFunc(h.SignIns, func(a, b SignIn) int {
		if c := cmp.Compare(b.Created, a.Created); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	// The newest event sits exactly at the anchor.
	h.SignIns[0].Created = anchor.Unix()

	// Identity Protection: risky users and their detections.
	ru := func(u *SignInUser, level, state, detail string, at time.Time) {
		h.RiskyUsers = append(h.RiskyUsers, RiskyUser{ID: u.ID, UserPrincipalName: u.UPN, UserDisplayName: u.DisplayName, RiskLevel: level, RiskState: state, RiskDetail: detail, Updated: at})
	}
	ru(ucUser, "high", "atRisk", "none", ucAt.Add(4*time.Minute))
	ru(leakUser, "high", "atRisk", "none", anchor.Add(-3*time.Hour))
	ru(medUser, "medium", "remediated", "userPerformedSecuredPasswordChange", anchor.Add(-29*time.Hour))
	ru(lowUser, "low", "dismissed", "adminDismissedAllRiskForUser", anchor.Add(-69*time.Hour))
	ru(bfUser, "none", "confirmedSafe", "adminConfirmedUserSafe", anchor.Add(-20*time.Hour))
	sort.SliceStable(h.RiskyUsers, func(i, j int) bool { return h.RiskyUsers[i].Updated.After(h.RiskyUsers[j].Updated) })

	rd := func(u *SignInUser, typ, level, state, detail, timing, ip string, pl *SignInPlace, at time.Time) {
		n := len(h.RiskDetections)
		d := RiskDetection{
			ID: stableGUID("detection", fmt.Sprint(o.Seed), fmt.Sprint(n)), RequestID: stableGUID("request", fmt.Sprint(o.Seed), fmt.Sprint(n)),
			UserID: u.ID, UserPrincipalName: u.UPN, UserDisplayName: u.DisplayName,
			RiskEventType: typ, RiskLevel: level, RiskState: state, RiskDetail: detail, Source: "IdentityProtection", Timing: timing,
			Activity: "signin", IPAddress: ip, ActivityAt: at, Detected: at.Add(time.Minute),
		}
		if pl != nil {
			d.City, d.Country = pl.City, pl.Country
		}
		h.RiskDetections = append(h.RiskDetections, d)
	}
	rd(ucUser, "unlikelyTravel", "high", "atRisk", "none", "realtime", UnexpectedCountryIP, unexpectedPlace, ucAt.Add(3*time.Minute))
	rd(ucUser, "unfamiliarFeatures", "medium", "atRisk", "none", "realtime", UnexpectedCountryIP, unexpectedPlace, ucAt.Add(3*time.Minute))
	rd(leakUser, "leakedCredentials", "high", "atRisk", "none", "offline", "", nil, anchor.Add(-3*time.Hour))
	rd(medUser, "anonymizedIPAddress", "medium", "remediated", "userPerformedSecuredPasswordChange", "realtime", AnonymousIP, anonymousPlace, anchor.Add(-30*time.Hour))
	rd(lowUser, "unfamiliarFeatures", "low", "dismissed", "adminDismissedAllRiskForUser", "realtime", lowUser.HomeIP, homes[3], anchor.Add(-70*time.Hour))
	rd(users[scenarioUsers], "passwordSpray", "high", "atRisk", "none", "offline", SprayIP, sprayPlace, sprayAt.Add(time.Minute))
	sort.SliceStable(h.RiskDetections, func(i, j int) bool { return h.RiskDetections[i].Detected.After(h.RiskDetections[j].Detected) })

	h.Summary = SignInHistorySummary{
		Seed: o.Seed, Count: len(h.SignIns), Failed: o.Failed, Users: o.Users,
		Oldest: time.Unix(h.SignIns[len(h.SignIns)-1].Created, 0).UTC(), Newest: time.Unix(h.SignIns[0].Created, 0).UTC(),
		SprayIP: SprayIP, SprayUsers: SprayUsers,
		BruteForceUser: bfUser.UPN, BruteForceIP: BruteForceIP, BruteForceFailures: BruteForceFailures,
		UnexpectedCountryUser: ucUser.UPN, UnexpectedCountry: UnexpectedCountry,
		RiskyUsers: len(h.RiskyUsers), RiskDetections: len(h.RiskDetections),
	}
	return h, nil
}

// Histories are kept beside the tenant's store, compactly; the store keeps
// only the options (kind signInHistoryKind), so a snapshot reload rebuilds
// the same history.
const signInHistoryKind = "SignInHistory"

var (
	historiesMu     sync.Mutex
	signInHistories = map[*Tenant]*SignInHistory{}
)

func tenantSignInHistory(t *Tenant) *SignInHistory {
	historiesMu.Lock()
	defer historiesMu.Unlock()
	if h := signInHistories[t]; h != nil {
		return h
	}
	o := t.Store.GetLatest(signInHistoryKind, "current")
	if o == nil {
		return &SignInHistory{}
	}
	var opts SignInHistoryOptions
	b, _ := json.Marshal(o)
	if err := json.Unmarshal(b, &opts); err != nil {
		return &SignInHistory{}
	}
	h, err := GenerateSignInHistory(t.InitialDomain, opts)
	if err != nil {
		return &SignInHistory{}
	}
	signInHistories[t] = h
	return h
}

// SeedSignInHistory replaces a tenant's sign-in history with a generated one.
func (s *Server) SeedSignInHistory(tenantID string, o SignInHistoryOptions) (SignInHistorySummary, error) {
	out, err := s.Seed(tenantID, "signins", o)
	if err != nil {
		return SignInHistorySummary{}, err
	}
	sum, ok := out.(SignInHistorySummary)
	if !ok {
		return SignInHistorySummary{}, fmt.Errorf("signins seeder returned %T", out)
	}
	return sum, nil
}

func init() {
	registerControlSeeder("signins", func(s *Server, t *Tenant, body []byte) (any, error) {
		var o SignInHistoryOptions
		if len(body) > 0 {
			if err := decodeStrict(strings.NewReader(string(body)), &o); err != nil {
				return nil, fmt.Errorf("signins seeder options: %w", err)
			}
		}
		if o.Anchor.IsZero() {
			o.Anchor = s.now()
		}
		h, err := GenerateSignInHistory(t.InitialDomain, o)
		if err != nil {
			return nil, err
		}
		var stored Object
		b, _ := json.Marshal(o)
		_ = json.Unmarshal(b, &stored)
		t.Store.Put(signInHistoryKind, "current", stored, 0)
		historiesMu.Lock()
		signInHistories[t] = h
		historiesMu.Unlock()
		return h.Summary, nil
	})
}
