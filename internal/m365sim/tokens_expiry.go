package m365sim

import (
	"sync"
	"time"
)

// Tokens that stop working before their advertised lifetime, so a client's
// refresh path runs: an access token can be rejected before its exp claim
// when it is revoked (continuous access evaluation, a disabled app, a
// rotated secret) or when clocks disagree
// (https://learn.microsoft.com/entra/identity/conditional-access/concept-continuous-access-evaluation).
// The token endpoint still answers expires_in 3599, as it does; only the
// resources (Graph, Exchange, Security & Compliance) refuse the token, with
// 401 invalid_token.
type tokenLifetimes struct {
	mu sync.Mutex
	// issuedAt of every token this server signed, by jti.
	issuedAt map[string]time.Time
	// deadline for tokens shortened with ExpireNextTokens, by jti.
	deadline map[string]time.Time
	// expiredBefore: tokens issued at or before this instant are refused.
	expiredBefore time.Time
	// next tokens to shorten, and to what lifetime.
	shortenNext int
	shortLife   time.Duration
}

func newTokenLifetimes() *tokenLifetimes {
	return &tokenLifetimes{issuedAt: map[string]time.Time{}, deadline: map[string]time.Time{}}
}

func (l *tokenLifetimes) issued(jti string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.issuedAt[jti] = now
	if l.shortenNext > 0 {
		l.shortenNext--
		l.deadline[jti] = now.Add(l.shortLife)
	}
}

func (l *tokenLifetimes) rejected(jti string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	at, known := l.issuedAt[jti]
	if known && !l.expiredBefore.IsZero() && !at.After(l.expiredBefore) {
		return true
	}
	if d, ok := l.deadline[jti]; ok && !now.Before(d) {
		return true
	}
	return false
}

// ExpireTokens makes every access token issued so far expire now: the next
// call with a cached token is answered 401, as after a revocation.
func (s *Server) ExpireTokens() {
	s.tokenLife.mu.Lock()
	defer s.tokenLife.mu.Unlock()
	s.tokenLife.expiredBefore = s.now()
}

// ExpireNextTokens makes the next n access tokens the token endpoint issues
// stop working after validFor (0 = at once), although they advertise the
// usual lifetime.
func (s *Server) ExpireNextTokens(n int, validFor time.Duration) {
	s.tokenLife.mu.Lock()
	defer s.tokenLife.mu.Unlock()
	s.tokenLife.shortenNext = n
	s.tokenLife.shortLife = validFor
}
