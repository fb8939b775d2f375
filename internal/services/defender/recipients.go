package defender

import (
	"context"
	"strings"

	"github.com/m365harden/terraform-provider-m365harden/internal/clients/exchange"
	"github.com/m365harden/terraform-provider-m365harden/internal/services/common"
)

// recipientResolver (the same as the mail flow package's, for the
// anti-phishing rule's SentTo conditions) tells whether spellings of recipient references (name,
// alias, email address, GUID) name the same recipients, the way Exchange
// resolves a RecipientIdParameter. Look-ups are cached for one operation.
type recipientResolver struct {
	ex    *exchange.Client
	cache map[string]*exchange.Recipient // lower-cased identity -> recipient (nil: names nobody)
}

func newRecipientResolver(ex *exchange.Client) *recipientResolver {
	return &recipientResolver{ex: ex, cache: map[string]*exchange.Recipient{}}
}

// resolve returns the recipient id names, or nil when it names nobody.
func (r *recipientResolver) resolve(ctx context.Context, id string) (*exchange.Recipient, error) {
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

// key is the recipient's identity for comparison: its primary SMTP
// address, or the text itself when it names nobody (so it equals nothing
// but itself).
func (r *recipientResolver) key(ctx context.Context, id string) (string, error) {
	rec, err := r.resolve(ctx, id)
	if err != nil || rec == nil {
		return "?" + strings.ToLower(id), err
	}
	return strings.ToLower(rec.PrimarySmtpAddress), nil
}

// same reports whether a and b name the same recipients. canonicalB says
// b holds primary SMTP addresses (as the service reports them): an item of
// a spelled like one of b's is then that recipient without a look-up, and
// b's items need none either.
func (r *recipientResolver) same(ctx context.Context, a, b []string, canonicalB bool) (bool, error) {
	if common.FoldSame(a, b) {
		return true, nil
	}
	ka, kb := map[string]bool{}, map[string]bool{}
	for _, x := range a {
		k := strings.ToLower(x)
		if !canonicalB || !containsFold(b, x) {
			var err error
			if k, err = r.key(ctx, x); err != nil {
				return false, err
			}
		}
		ka[k] = true
	}
	for _, x := range b {
		k := strings.ToLower(x)
		if !canonicalB {
			var err error
			if k, err = r.key(ctx, x); err != nil {
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

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}
