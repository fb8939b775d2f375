package common

import (
	"context"
	"strings"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
)

// RecipientResolver, shared by the mail flow and Defender rules and the
// mailbox forwarding target, tells whether spellings of recipient references (name,
// alias, email address, GUID) name the same recipients, the way Exchange
// resolves a RecipientIdParameter. Look-ups are cached for one operation.
type RecipientResolver struct {
	ex    *exchange.Client
	cache map[string]*exchange.Recipient // lower-cased identity -> recipient (nil: names nobody)
}

func NewRecipientResolver(ex *exchange.Client) *RecipientResolver {
	return &RecipientResolver{ex: ex, cache: map[string]*exchange.Recipient{}}
}

// Resolve returns the recipient id names, or nil when it names nobody.
func (r *RecipientResolver) Resolve(ctx context.Context, id string) (*exchange.Recipient, error) {
	k := strings.ToLower(strings.TrimSpace(exchange.StripSMTPPrefix(id)))
	if rec, ok := r.cache[k]; ok {
		return rec, nil
	}
	rec, err := r.ex.GetRecipient(ctx, k)
	if exchange.IsNotFound(err) {
		rec, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	r.cache[k] = rec
	return rec, nil
}

// Key is the recipient's identity for comparison: its primary SMTP
// address, or the text itself when it names nobody (so it equals nothing
// but itself).
func (r *RecipientResolver) Key(ctx context.Context, id string) (string, error) {
	rec, err := r.Resolve(ctx, id)
	if err != nil || rec == nil {
		return "?" + strings.ToLower(id), err
	}
	return strings.ToLower(rec.PrimarySmtpAddress), nil
}

// Same reports whether a and b name the same recipients. canonicalB says
// b holds primary SMTP addresses (as the service reports them): an item of
// a spelled like one of b's is then that recipient without a look-up, and
// b's items need none either.
func (r *RecipientResolver) Same(ctx context.Context, a, b []string, canonicalB bool) (bool, error) {
	if FoldSame(a, b) {
		return true, nil
	}
	ka, kb := map[string]bool{}, map[string]bool{}
	for _, x := range a {
		k := strings.ToLower(x)
		if !canonicalB || !containsFoldString(b, x) {
			var err error
			if k, err = r.Key(ctx, x); err != nil {
				return false, err
			}
		}
		ka[k] = true
	}
	for _, x := range b {
		k := strings.ToLower(x)
		if !canonicalB {
			var err error
			if k, err = r.Key(ctx, x); err != nil {
				return false, err
			}
		}
		kb[k] = true
	}
	if len(ka) != len(kb) {
		return false, nil
	}
	for k := range ka {
		if !kb[k] {
			return false, nil
		}
	}
	return true, nil
}

func containsFoldString(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}
