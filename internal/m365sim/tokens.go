package m365sim

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TokenLifetime matches the expires_in the real token endpoint answers (3599s).
const TokenLifetime = 3599 * time.Second

// Principal is the caller an access token identifies.
type Principal struct {
	Tenant   *Tenant
	App      *AppSpec
	Audience string
	Roles    []string
	// Admin is the control surface acting as "another administrator": every
	// permission and role, no faults.
	Admin bool
}

// HasRole reports whether the token carries an application permission.
func (p *Principal) HasRole(role string) bool {
	if p.Admin {
		return true
	}
	for _, r := range p.Roles {
		if strings.EqualFold(r, role) {
			return true
		}
	}
	return false
}

type accessClaims struct {
	jwt.RegisteredClaims
	AppID  string   `json:"appid"`
	AzP    string   `json:"azp,omitempty"`
	TID    string   `json:"tid"`
	OID    string   `json:"oid,omitempty"`
	Roles  []string `json:"roles,omitempty"`
	IDType string   `json:"idtyp,omitempty"`
	Ver    string   `json:"ver"`
}

// issueToken signs an app-only access token for an app and audience. The
// roles claim carries the application permissions granted to the app, as
// Microsoft Entra ID does for the client credentials flow.
func (s *Server) issueToken(t *Tenant, app *AppSpec, audience string) (string, time.Time, error) {
	now := s.now()
	exp := now.Add(TokenLifetime)
	jti := newRequestID()
	s.tokenLife.issued(jti, now)
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    "https://sts.windows.net/" + t.ID + "/",
			Subject:   app.ObjectID,
			Audience:  jwt.ClaimStrings{audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now.Add(-5 * time.Minute)),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        jti,
		},
		AppID:  app.ClientID,
		AzP:    app.ClientID,
		TID:    t.ID,
		OID:    app.ObjectID,
		Roles:  rolesForAudience(app.Permissions, audience),
		IDType: "app",
		Ver:    "1.0",
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = s.keyID
	signed, err := tok.SignedString(s.signKey)
	return signed, exp, err
}

// rolesForAudience keeps the permissions that belong to the resource the
// token is for: Exchange.ManageAsApp is a permission of the Office 365
// Exchange Online API, the rest are Microsoft Graph permissions.
func rolesForAudience(perms []string, audience string) []string {
	var out []string
	for _, p := range perms {
		isExchange := strings.EqualFold(p, "Exchange.ManageAsApp")
		switch audience {
		case AudienceExchange, AudienceCompliance:
			if isExchange {
				out = append(out, p)
			}
		default:
			if !isExchange {
				out = append(out, p)
			}
		}
	}
	return out
}

var errNoToken = errors.New("no bearer token")

// errTokenExpired is a token the resource no longer accepts although its
// exp claim is in the future (see ExpireTokens): to the client it is an
// expired token, answered with 401 and the invalid_token error. Microsoft
// Graph words it "Lifetime validation failed, the token is expired."
// (https://learn.microsoft.com/graph/errors lists 401 for an invalid or
// expired token).
var errTokenExpired = errors.New("lifetime validation failed, the token is expired")

// authenticate checks the bearer token on an API request: signature, expiry,
// audience and tenant. It does not check permissions; callers do.
func (s *Server) authenticate(r *http.Request, audience string) (*Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, errNoToken
	}
	raw, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return nil, errors.New("authorization header is not a Bearer token")
	}
	var claims accessClaims
	_, err := jwt.ParseWithClaims(raw, &claims, func(tok *jwt.Token) (any, error) {
		return &s.signKey.PublicKey, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(s.now), jwt.WithExpirationRequired())
	if err != nil {
		return nil, fmt.Errorf("invalid token: %w", err)
	}
	if s.tokenLife.rejected(claims.ID, s.now()) {
		return nil, errTokenExpired
	}
	okAud := false
	for _, a := range claims.Audience {
		if strings.EqualFold(strings.TrimSuffix(a, "/"), audience) {
			okAud = true
		}
	}
	if !okAud {
		return nil, fmt.Errorf("invalid audience %v: this endpoint accepts tokens for %s", []string(claims.Audience), audience)
	}
	t := s.Tenant(claims.TID)
	if t == nil {
		return nil, fmt.Errorf("unknown tenant %s", claims.TID)
	}
	app := t.App(claims.AppID)
	if app == nil {
		return nil, fmt.Errorf("unknown application %s", claims.AppID)
	}
	return &Principal{Tenant: t, App: app, Audience: audience, Roles: claims.Roles}, nil
}

// IssueAccessToken signs an access token for an app, as the token endpoint
// would: for tests that hand a token to a credential out of band (the fake
// Azure CLI).
func (s *Server) IssueAccessToken(tenantID, clientID, audience string) (string, time.Time, error) {
	t := s.Tenant(tenantID)
	if t == nil {
		return "", time.Time{}, fmt.Errorf("no tenant %s", tenantID)
	}
	app := t.App(clientID)
	if app == nil {
		return "", time.Time{}, fmt.Errorf("no app %s in tenant %s", clientID, tenantID)
	}
	return s.issueToken(t, app, audience)
}
