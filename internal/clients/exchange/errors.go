package exchange

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Kinds of failure, mapped from the HTTP status and the .NET exception type
// that Exchange puts in error.details[].message ("Ex6F9304|<type>|<text>")
// or, when a body has no details, in innererror.internalexception.type;
// never from the message text.
var (
	ErrNotFound         = errors.New("not found")
	ErrForbidden        = errors.New("forbidden")
	ErrUnauthorized     = errors.New("unauthorized")
	ErrThrottled        = errors.New("throttled")
	ErrConflict         = errors.New("already exists")
	ErrInvalidParameter = errors.New("invalid parameter")
	ErrUnavailable      = errors.New("service unavailable")
	// ErrLicence: the tenant's subscription does not include the feature.
	ErrLicence = errors.New("licence required")
	// ErrTokenRejected: the service refused the access token even after a
	// new one was fetched, or no new one could be had: the credential has
	// expired or been revoked (or names another tenant). ErrUnauthorized is
	// kept for a token without the Exchange.ManageAsApp permission.
	ErrTokenRejected = errors.New("access token rejected")
	// ErrDehydrated: the organization must run
	// Enable-OrganizationCustomization before this write.
	ErrDehydrated = errors.New("organization not customised")
	// ErrRouting: the call ran on a server the X-AnchorMailbox chose but
	// needs another (CmdletProxyNotAvailableException).
	ErrRouting = errors.New("wrong routing anchor")
)

// Error is a failed cmdlet call.
type Error struct {
	Service   string // "Exchange Online" or "Security & Compliance"
	Cmdlet    string
	Status    int
	Code      string // error.code
	Exception string // .NET exception type, e.g. ...ManagementObjectNotFoundException
	Message   string // the service's message
	RequestID string
	kind      error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Service, e.Cmdlet, e.Status)
	if e.Exception != "" {
		fmt.Fprintf(&b, " %s", shortException(e.Exception))
	} else if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if hint := e.Hint(); hint != "" {
		fmt.Fprintf(&b, " (%s)", hint)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request-id %s]", e.RequestID)
	}
	return b.String()
}

// Unwrap lets errors.Is(err, ErrNotFound) and friends work.
func (e *Error) Unwrap() error { return e.kind }

// Hint says what the user can do about a forbidden call.
func (e *Error) Hint() string {
	switch e.kind {
	case ErrForbidden:
		roles := RequiredRoles(e.Cmdlet)
		if len(roles) == 0 {
			return "the app's service principal lacks an Exchange role that grants this cmdlet; assign the Exchange Administrator Entra role or a management role that contains it"
		}
		return fmt.Sprintf("the app's service principal needs the Exchange management role %s (or the Entra role %s) to run %s", quoteJoin(roles), entraRoleFor(e.Service), e.Cmdlet)
	case ErrUnauthorized:
		return "the access token does not carry the Exchange.ManageAsApp application permission: grant it (API Office 365 Exchange Online) to the app registration with admin consent"
	case ErrTokenRejected:
		return "the credential may have expired or been revoked (an expired client secret or certificate, a disabled or deleted app registration or service principal), or tenant_id names another tenant: check the credential, then apply again"
	case ErrDehydrated:
		return "the organization is dehydrated: Enable-OrganizationCustomization must run (once) and take effect before this change"
	}
	return ""
}

func entraRoleFor(service string) string {
	if service == ServiceCompliance {
		return `"Compliance Administrator"`
	}
	return `"Exchange Administrator"`
}

func quoteJoin(s []string) string {
	q := make([]string, len(s))
	for i := range s {
		q[i] = `"` + s[i] + `"`
	}
	return strings.Join(q, " or ")
}

func shortException(t string) string {
	if i := strings.LastIndex(t, "."); i >= 0 {
		return t[i+1:]
	}
	return t
}

// classify picks the kind from the status and exception type.
func classify(status int, exception string) error {
	ex := shortException(exception)
	switch ex {
	case "ManagementObjectNotFoundException", "ManagementObjectAmbiguousException_NotFound":
		return ErrNotFound
	case "ManagementObjectAlreadyExistsException", "ProxyAddressExistsException", "ADObjectAlreadyExistsException":
		return ErrConflict
	case "ParameterBindingException", "ParameterBindingValidationException", "DataValidationException",
		"ArgumentException", "ArgumentOutOfRangeException", "ValidationArgumentException", "RecipientTaskException",
		// Parameter binding failures of the admin API: a parameter set that
		// cannot be resolved, a value that cannot be converted.
		"AmbiguousParameterSetException", "ParameterTransformationException":
		return ErrInvalidParameter
	case "CommandNotFoundException", "RoleAssignmentNotFoundException", "UnauthorizedAccessException_Forbidden":
		return ErrForbidden
	case "NotNewProtectionAggregatedAlertCapableException":
		return ErrLicence
	case "InvalidOperationInDehydratedContextException":
		return ErrDehydrated
	case "CmdletProxyNotAvailableException":
		return ErrRouting
	}
	switch {
	case status == 429:
		return ErrThrottled
	case status == 401:
		return ErrUnauthorized
	case status == 403:
		return ErrForbidden
	case status == 404:
		return ErrNotFound
	case status == 503 || status == 504:
		return ErrUnavailable
	case status == 400:
		return ErrInvalidParameter
	}
	return nil
}

var requiredRoles = map[string][]string{}

// RegisterRoles records the Exchange management roles that grant a cmdlet,
// so a 403 can name them. Typed cmdlet files call it from init.
func RegisterRoles(cmdlet string, roles ...string) { requiredRoles[strings.ToLower(cmdlet)] = roles }

// RequiredRoles returns the management roles registered for a cmdlet.
func RequiredRoles(cmdlet string) []string { return requiredRoles[strings.ToLower(cmdlet)] }

// IsNotFound reports whether err is a not-found error.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsForbidden reports whether err is a permission error.
func IsForbidden(err error) bool {
	return errors.Is(err, ErrForbidden) || errors.Is(err, ErrUnauthorized)
}

// IsTokenRejected reports whether the service kept refusing the credential.
func IsTokenRejected(err error) bool { return errors.Is(err, ErrTokenRejected) }

// classifyUnauthorized tells, for a 401 that a new token did not cure, a
// token without the Exchange.ManageAsApp permission (the app needs it
// granted) from one the service refuses although it has it (the credential
// expired or was revoked, or the tenant is wrong). It reads the permissions
// the token carries (its roles claim); the token's signature is the
// service's business, and the token is never logged.
func classifyUnauthorized(token string) error {
	claims, ok := tokenClaims(token)
	if !ok {
		return ErrUnauthorized
	}
	if _, delegated := claims["scp"]; delegated {
		// A user's token (Azure CLI): Exchange checks the user's roles.
		return ErrTokenRejected
	}
	roles, _ := claims["roles"].([]any)
	for _, r := range roles {
		if s, ok := r.(string); ok && strings.EqualFold(s, "Exchange.ManageAsApp") {
			return ErrTokenRejected
		}
	}
	return ErrUnauthorized
}

// tokenClaims decodes the payload of a JWT access token without verifying
// it.
func tokenClaims(token string) (map[string]any, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, false
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil, false
	}
	return m, true
}

// IsConflict reports whether err is a name clash.
func IsConflict(err error) bool { return errors.Is(err, ErrConflict) }
