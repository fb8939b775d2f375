package m365sim

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Inbox rules through Microsoft Graph: the second view of the store that
// Get-InboxRule reads (cmdlets_inbox_rule.go). One store, two views: a rule
// seeded once is what both Get-InboxRule and messageRules answer.
//
//   - GET /users/{id | userPrincipalName}/mailFolders/inbox/messageRules
//     lists messageRule objects: id, displayName, sequence, isEnabled,
//     hasError, isReadOnly, conditions, actions (forwardTo, redirectTo,
//     forwardAsAttachmentTo: recipient collections, {"emailAddress":
//     {"name","address"}}; delete, stopProcessingRules ...).
//     https://learn.microsoft.com/en-us/graph/api/mailfolder-list-messagerules
//     https://learn.microsoft.com/en-us/graph/api/resources/messagerule
//     https://learn.microsoft.com/en-us/graph/api/resources/recipient
//     Application permissions: MailboxSettings.Read (least privileged),
//     MailboxSettings.ReadWrite. The page lists no OData query parameters
//     for the operation, so the emulator refuses every $ option (the
//     stricter reading).
//   - Without the permission Outlook answers 403 ErrorAccessDenied "Access
//     is denied. Check credentials and try again." (Outlook's code, not the
//     directory's Authorization_RequestDenied; public capture of an app-only
//     Outlook read without the permission:
//     https://github.com/EvotecIT/O365Synchronizer/issues/12).
//   - An id that is no user of the tenant (or a user without a mailbox):
//     404. The page does not give the body; the emulator answers Outlook's
//     ErrorInvalidUser "The requested user '<id>' is invalid." A client
//     must treat any 404 as "no such mailbox", not by its text.
//
// Outlook throttling (https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits):
// limits apply per app ID and mailbox combination: 10,000 API requests in a
// 10 minute period and 4 concurrent requests. Over either, 429 with
// Retry-After. The concurrency answer's body is captured publicly:
// {"error":{"code":"ApplicationThrottled","message":"Application is over its
// MailboxConcurrency limit."}}
// (https://github.com/magodo/terraform-provider-outlook/issues/21). The
// wording of the 10,000-request answer is not documented; the emulator uses
// the same code with "MailboxRequests" in the message. The page's third
// per-mailbox limit, 150 MB of uploads (PATCH, POST, PUT) per 5 minutes,
// does not apply: the emulator's Outlook routes are reads. Graph's global
// limit per app (130,000 requests per 10 seconds across all tenants) is
// graph_global_throttle.go; the page documents no per-app-per-tenant limit
// for Outlook resources.

const (
	// DefaultOutlookRequests per DefaultOutlookWindow per app per mailbox.
	DefaultOutlookRequests = 10000
	DefaultOutlookWindow   = 10 * time.Minute
	// DefaultOutlookConcurrency is the concurrent requests per app per mailbox.
	DefaultOutlookConcurrency = 4
)

type outlookLimiter struct {
	mu         sync.Mutex
	requests   int
	window     time.Duration
	concurrent int
	windows    map[string]*rateWindow
	inFlight   map[string]int
}

var (
	outlookMu       sync.Mutex
	outlookLimiters = map[*Server]*outlookLimiter{}
)

func outlookFor(s *Server) *outlookLimiter {
	outlookMu.Lock()
	defer outlookMu.Unlock()
	l := outlookLimiters[s]
	if l == nil {
		l = &outlookLimiter{requests: DefaultOutlookRequests, window: DefaultOutlookWindow, concurrent: DefaultOutlookConcurrency,
			windows: map[string]*rateWindow{}, inFlight: map[string]int{}}
		outlookLimiters[s] = l
	}
	return l
}

// SetOutlookThrottle sets Outlook's per-app, per-mailbox limits: requests
// per window and concurrent requests (0 = that limit off).
func (s *Server) SetOutlookThrottle(requests int, window time.Duration, concurrent int) {
	l := outlookFor(s)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests, l.window, l.concurrent = requests, window, concurrent
	l.windows = map[string]*rateWindow{}
}

// acquire takes a slot for one request to a mailbox; release must be called
// when it is answered. A throttled request gets the 429 to send.
func (l *outlookLimiter) acquire(key string, now time.Time) (release func(), ge *GraphError) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.concurrent > 0 && l.inFlight[key] >= l.concurrent {
		// Concurrency frees up as soon as a running request ends; Outlook
		// sends a short Retry-After for it.
		return nil, &GraphError{Status: http.StatusTooManyRequests, Code: "ApplicationThrottled",
			Message: "Application is over its MailboxConcurrency limit.", RetryAfter: 1}
	}
	if l.requests > 0 && l.window > 0 {
		w := l.windows[key]
		if w == nil || now.Sub(w.start) >= l.window {
			w = &rateWindow{start: now}
			l.windows[key] = w
		}
		if w.used >= l.requests {
			wait := int(math.Ceil(w.start.Add(l.window).Sub(now).Seconds()))
			return nil, &GraphError{Status: http.StatusTooManyRequests, Code: "ApplicationThrottled",
				Message: "Application is over its MailboxRequests limit.", RetryAfter: max(wait, 1)}
		}
		w.used++
	}
	l.inFlight[key]++
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.inFlight[key]--; l.inFlight[key] <= 0 {
			delete(l.inFlight, key)
		}
	}, nil
}

// userIndex maps a user's object id (ExternalDirectoryObjectId) and user
// principal name to its mailbox key, so a tenant-wide scan resolves each
// user in O(1). Entries are checked against the store on every hit and
// the index is rebuilt on a miss, so it never answers for a mailbox that
// has gone or changed.
type userIndex struct {
	mu   sync.RWMutex
	keys map[string]string
}

var (
	userIndexMu sync.Mutex
	userIndexes = map[*Tenant]*userIndex{}
)

func userIndexFor(t *Tenant) *userIndex {
	userIndexMu.Lock()
	defer userIndexMu.Unlock()
	ix := userIndexes[t]
	if ix == nil {
		ix = &userIndex{}
		userIndexes[t] = ix
	}
	return ix
}

func userMatches(mb Object, id string) bool {
	for _, p := range []string{"ExternalDirectoryObjectId", "UserPrincipalName"} {
		if s, ok := mb[p].(string); ok && s != "" && strings.EqualFold(s, id) {
			return true
		}
	}
	return false
}

// mailboxOfUser returns the mailbox of the user with that object id or
// UPN (as readers see it), or nil.
func mailboxOfUser(t *Tenant, id string, latest bool) Object {
	get := t.Store.Get
	if latest {
		get = t.Store.GetLatest
	}
	ix := userIndexFor(t)
	lid := strings.ToLower(id)
	ix.mu.RLock()
	k, ok := ix.keys[lid]
	ix.mu.RUnlock()
	if ok {
		if mb := get(kindMailbox, k); mb != nil && userMatches(mb, id) {
			return mb
		}
	}
	// A miss: is there such a user at all (a scan without copies)? Only
	// then is the index stale and rebuilt.
	found := ""
	t.Store.Scan(kindMailbox, func(o Object) bool {
		if userMatches(o, id) {
			found = mailboxKey(o)
			return false
		}
		return true
	})
	if found == "" {
		return nil
	}
	keys := map[string]string{}
	t.Store.Scan(kindMailbox, func(mb Object) bool {
		k := mailboxKey(mb)
		for _, p := range []string{"ExternalDirectoryObjectId", "UserPrincipalName"} {
			if s, ok := mb[p].(string); ok && s != "" {
				keys[strings.ToLower(s)] = k
			}
		}
		return true
	})
	ix.mu.Lock()
	ix.keys = keys
	ix.mu.Unlock()
	return get(kindMailbox, found)
}

// graphRecipient turns a recipient as Get-InboxRule renders it into Graph's
// recipient: `"Name" [SMTP:addr]` gives the address; `"Name" [EX:dn]` a
// mailbox of the tenant, whose primary SMTP address Graph shows.
func graphRecipient(t *Tenant, rendered string) map[string]any {
	name, addr := rendered, ""
	if i := strings.LastIndex(rendered, " ["); i >= 0 && strings.HasSuffix(rendered, "]") {
		name = strings.Trim(rendered[:i], `"`)
		typ, val, _ := strings.Cut(rendered[i+2:len(rendered)-1], ":")
		switch strings.ToUpper(typ) {
		case "SMTP":
			addr = val
		case "EX":
			if mb := mailboxByLegacyDN(t, val); mb != nil {
				addr = fmt.Sprint(mb["PrimarySmtpAddress"])
			}
		}
	}
	return map[string]any{"emailAddress": map[string]any{"name": name, "address": addr}}
}

// mailboxByLegacyDN finds the mailbox of a LegacyExchangeDN: the derived
// form (legacyDN) carries the mailbox GUID, so no scan is needed for it.
func mailboxByLegacyDN(t *Tenant, dn string) Object {
	if i := strings.LastIndex(strings.ToLower(dn), "/cn="); i >= 0 {
		cn := dn[i+4:]
		if len(cn) > 32 && cn[32] == '-' {
			g := cn[:32]
			guid := g[:8] + "-" + g[8:12] + "-" + g[12:16] + "-" + g[16:20] + "-" + g[20:]
			if mb := t.Store.GetLatest(kindMailbox, guid); mb != nil && strings.EqualFold(legacyDN(mb), dn) {
				return mb
			}
		}
	}
	for _, mb := range t.Store.ListLatest(kindMailbox) {
		if strings.EqualFold(legacyDN(mb), dn) {
			return mb
		}
	}
	return nil
}

func graphRecipients(t *Tenant, v any) []any {
	out := []any{}
	switch l := v.(type) {
	case []string:
		for _, s := range l {
			out = append(out, graphRecipient(t, s))
		}
	case []any:
		for _, s := range l {
			out = append(out, graphRecipient(t, fmt.Sprint(s)))
		}
	}
	return out
}

// graphMessageRule is the Graph view of one stored inbox rule.
func graphMessageRule(t *Tenant, r Object) Object {
	words := []any{}
	switch l := r["SubjectContainsWords"].(type) {
	case []string:
		for _, w := range l {
			words = append(words, w)
		}
	case []any:
		words = l
	}
	conditions := map[string]any{}
	if len(words) > 0 {
		conditions["subjectContains"] = words
	}
	actions := map[string]any{"stopProcessingRules": r["StopProcessingRules"] == true}
	for _, a := range []struct{ graph, exo string }{{"forwardTo", "ForwardTo"}, {"redirectTo", "RedirectTo"}, {"forwardAsAttachmentTo", "ForwardAsAttachmentTo"}} {
		if rc := graphRecipients(t, r[a.exo]); len(rc) > 0 {
			actions[a.graph] = rc
		}
	}
	if r["DeleteMessage"] == true {
		actions["delete"] = true
	}
	return Object{
		"id":          fmt.Sprint(r["RuleIdentity"]),
		"displayName": r["Name"],
		"sequence":    toInt(r["Priority"]),
		"isEnabled":   r["Enabled"] == true,
		"hasError":    r["InError"] == true,
		"isReadOnly":  false,
		"conditions":  conditions,
		"actions":     actions,
	}
}

func outlookAccessDenied([]string) *GraphError {
	return &GraphError{Status: http.StatusForbidden, Code: "ErrorAccessDenied", Message: "Access is denied. Check credentials and try again."}
}

func init() {
	registerGraphRoute(&GraphRoute{
		Method: http.MethodGet, Pattern: "/users/{id}/mailFolders/inbox/messageRules",
		AnyOf:  []string{"MailboxSettings.Read", "MailboxSettings.ReadWrite"},
		Denied: outlookAccessDenied,
		Query:  []string{},
		Handler: func(g *GraphCall) (int, any, *GraphError) {
			mb := mailboxOfUser(g.Tenant, g.Vars["id"], false)
			if mb == nil {
				return 0, nil, &GraphError{Status: http.StatusNotFound, Code: "ErrorInvalidUser", Message: fmt.Sprintf("The requested user '%s' is invalid.", g.Vars["id"])}
			}
			key := mailboxKey(mb)
			app := ""
			if g.Principal.App != nil {
				app = g.Principal.App.ClientID
			}
			release, ge := outlookFor(g.Server).acquire(g.Tenant.ID+"/"+app+"/"+key, time.Now())
			if ge != nil {
				return 0, nil, ge
			}
			defer release()
			// Outlook's service time is spent holding the mailbox slot.
			if !sleepFor(g.Request, latencyFor(g.Server).draw(LatencyOutlook)) {
				return 0, nil, &GraphError{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Message: "The request was abandoned."}
			}
			var rules []Object
			if set := g.Tenant.Store.Get(kindInboxRules, key); set != nil {
				rules = inboxRulesOf(set)
			}
			value := make([]Object, 0, len(rules))
			for _, r := range rules {
				value = append(value, graphMessageRule(g.Tenant, r))
			}
			return http.StatusOK, map[string]any{
				"@odata.context": g.Server.url + "/v1.0/$metadata#users('" + g.Vars["id"] + "')/mailFolders('inbox')/messageRules",
				"value":          value,
			}, nil
		},
	})
}

// GrantAppPermission adds an application permission to an app registration
// of the tenant (an administrator's consent, out of band); tokens issued
// after it carry it.
func (s *Server) GrantAppPermission(tenantID, clientID, permission string) error {
	t := s.Tenant(tenantID)
	if t == nil {
		return fmt.Errorf("unknown tenant %s", tenantID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	app := t.App(clientID)
	if app == nil {
		return fmt.Errorf("tenant %s has no app %s", tenantID, clientID)
	}
	for _, p := range app.Permissions {
		if strings.EqualFold(p, permission) {
			return nil
		}
	}
	app.Permissions = append(append([]string(nil), app.Permissions...), permission)
	return nil
}
