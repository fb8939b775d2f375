package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// ErrCredentialRejected marks the error returned to every caller after the
// first one once Microsoft Entra ID has refused the credential: errors.Is
// tells it apart, and its text refers to the first error instead of
// repeating it.
var ErrCredentialRejected = errors.New("sign-in already refused")

// rejectOnce wraps a credential so that a credential Microsoft Entra ID
// refuses (wrong or expired client secret, unknown application, wrong
// tenant: an OAuth error answered with a 4xx status) costs one sign-in
// request per provider configuration, not one per resource and API: the
// first refusal is kept and handed to every later caller, which gets a
// short error pointing at the first. Token requests are made one at a
// time, so resources planned in parallel wait for the first answer instead
// of all signing in at once; tokens the SDK has cached are answered
// without a network call, so this costs nothing once signed in.
//
// Transient failures (429, 408, 5xx, network errors, cancellation) are not
// kept: the next caller tries again.
type rejectOnce struct {
	cred     azcore.TokenCredential
	lock     chan struct{} // one token request at a time; honours ctx while waiting
	rejected error         // the first refusal; guarded by lock
}

func newRejectOnce(cred azcore.TokenCredential) *rejectOnce {
	return &rejectOnce{cred: cred, lock: make(chan struct{}, 1)}
}

// GetToken implements azcore.TokenCredential.
func (r *rejectOnce) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	select {
	case r.lock <- struct{}{}:
	case <-ctx.Done():
		return azcore.AccessToken{}, ctx.Err()
	}
	defer func() { <-r.lock }()
	if r.rejected != nil {
		return azcore.AccessToken{}, &rejectedAgain{first: r.rejected}
	}
	tok, err := r.cred.GetToken(ctx, opts)
	if err != nil && refused(err) {
		r.rejected = err
	}
	return tok, err
}

// refused tells a definitive refusal of the credential by the identity
// platform (an OAuth error response with a 4xx status other than 408 and
// 429) from a failure worth retrying.
// https://learn.microsoft.com/entra/identity-platform/reference-error-codes
func refused(err error) bool {
	var af *azidentity.AuthenticationFailedError
	if !errors.As(err, &af) || af.RawResponse == nil {
		return false
	}
	s := af.RawResponse.StatusCode
	return s >= 400 && s < 500 && s != http.StatusRequestTimeout && s != http.StatusTooManyRequests
}

var aadstsPattern = regexp.MustCompile(`AADSTS\d+`)

// rejectedAgain is the error of every token request after the refusal.
type rejectedAgain struct{ first error }

func (e *rejectedAgain) Error() string {
	return fmt.Sprintf("%s: Microsoft Entra ID refused this provider configuration's credential earlier in this run (%s); "+
		"no new sign-in was attempted. See the first authentication error for the details and the fix", ErrCredentialRejected, aadCode(e.first))
}

func (e *rejectedAgain) Is(target error) bool { return target == ErrCredentialRejected }

// aadCode is the AADSTS code of a refusal ("AADSTS7000215"), or a short
// description when the response carries none.
func aadCode(err error) string {
	var af *azidentity.AuthenticationFailedError
	if errors.As(err, &af) && af.RawResponse != nil {
		if m := aadstsPattern.FindString(err.Error()); m != "" {
			return m
		}
		return fmt.Sprintf("HTTP %d from the token endpoint", af.RawResponse.StatusCode)
	}
	return "sign-in failed"
}
