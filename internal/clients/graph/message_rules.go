package graph

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// Inbox rules through Graph: GET /users/{id}/mailFolders/inbox/messageRules
// (https://learn.microsoft.com/en-us/graph/api/mailfolder-list-messagerules),
// application permission MailboxSettings.Read.

// RuleRecipient is a recipient of a rule action (Graph's emailAddress).
type RuleRecipient struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

// MessageRule is the forwarding-relevant part of a messageRule.
type MessageRule struct {
	ID                    string
	DisplayName           string
	IsEnabled             bool
	ForwardTo             []RuleRecipient
	RedirectTo            []RuleRecipient
	ForwardAsAttachmentTo []RuleRecipient
}

// MailboxRules is the answer for one user: its rules, or Err (classified:
// ErrNotFound for a user without a mailbox, ErrForbidden, ErrThrottled when
// still throttled after the retry budget).
type MailboxRules struct {
	User  string
	Rules []MessageRule
	Err   error
}

// outlookPermissionCodes are the 403 codes for a token without the
// operation's permission: Outlook's ErrorAccessDenied ("Access is denied.
// Check credentials and try again.",
// https://github.com/EvotecIT/O365Synchronizer/issues/12) and the codes of
// permissionCodes (client.go).
var outlookPermissionCodes = map[string]bool{"ErrorAccessDenied": true}

// IsPermissionDenied reports whether err is Graph's answer to a token
// without the operation's application permission (by status and code,
// never by message).
func IsPermissionDenied(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == 403 && (outlookPermissionCodes[e.Code] || permissionCodes[e.Code])
}

// InboxRulesBatch reads the inbox rules of up to MaxBatchRequests users
// (object ids or user principal names) in one JSON batch, following
// @odata.nextLink pages in further batches; throttled requests are re-sent
// as BatchGet does. It returns one MailboxRules per user, in order, and the
// 429s received. The error is for the batch as a whole.
func (c *Client) InboxRulesBatch(ctx context.Context, users []string) ([]MailboxRules, int, error) {
	out := make([]MailboxRules, len(users))
	next := map[string]string{} // request id -> url still to read
	for i, u := range users {
		out[i].User = u
		next[strconv.Itoa(i)] = "/users/" + url.PathEscape(u) + "/mailFolders/inbox/messageRules"
	}
	throttled := 0
	for len(next) > 0 {
		reqs := make([]BatchRequest, 0, len(next))
		for i := range users {
			if u, ok := next[strconv.Itoa(i)]; ok {
				reqs = append(reqs, BatchRequest{ID: strconv.Itoa(i), URL: u})
			}
		}
		answers, n, err := c.BatchGet(ctx, reqs)
		throttled += n
		if err != nil {
			return nil, throttled, err
		}
		next = map[string]string{}
		for _, r := range reqs {
			i, _ := strconv.Atoi(r.ID)
			a := answers[r.ID]
			if err := ResponseError(a, "GET /users/{id}/mailFolders/inbox/messageRules"); err != nil {
				out[i].Err = err
				continue
			}
			var page struct {
				Value []struct {
					ID          string `json:"id"`
					DisplayName string `json:"displayName"`
					IsEnabled   bool   `json:"isEnabled"`
					Actions     struct {
						ForwardTo             []struct{ EmailAddress RuleRecipient } `json:"forwardTo"`
						RedirectTo            []struct{ EmailAddress RuleRecipient } `json:"redirectTo"`
						ForwardAsAttachmentTo []struct{ EmailAddress RuleRecipient } `json:"forwardAsAttachmentTo"`
					} `json:"actions"`
				} `json:"value"`
				NextLink string `json:"@odata.nextLink"`
			}
			if err := json.Unmarshal(a.Body, &page); err != nil {
				out[i].Err = err
				continue
			}
			for _, v := range page.Value {
				rc := func(l []struct{ EmailAddress RuleRecipient }) []RuleRecipient {
					var o []RuleRecipient
					for _, x := range l {
						o = append(o, x.EmailAddress)
					}
					return o
				}
				out[i].Rules = append(out[i].Rules, MessageRule{ID: v.ID, DisplayName: v.DisplayName, IsEnabled: v.IsEnabled,
					ForwardTo: rc(v.Actions.ForwardTo), RedirectTo: rc(v.Actions.RedirectTo), ForwardAsAttachmentTo: rc(v.Actions.ForwardAsAttachmentTo)})
			}
			if page.NextLink != "" {
				// Batch URLs are relative to the version.
				if u, err := url.Parse(page.NextLink); err == nil {
					p := u.EscapedPath()
					if i := strings.Index(strings.ToLower(p), "/v1.0/"); i >= 0 {
						p = p[i+len("/v1.0"):]
					}
					if u.RawQuery != "" {
						p += "?" + u.RawQuery
					}
					next[r.ID] = p
				}
			}
		}
	}
	return out, throttled, nil
}
