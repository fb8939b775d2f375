package common

import (
	"context"
	"net/http/httptrace"
	"sync/atomic"
)

// SentRecorder tells whether a request made with TrackSent's context was
// written to the connection in full. A request that was not (the caller was
// interrupted before or while sending it) cannot have been carried out: the
// service never had it whole. One that was may have been, whatever the
// client saw afterwards.
type SentRecorder struct{ sent atomic.Bool }

// TrackSent returns ctx with a trace that records every request made with
// it that is written in full (net/http's WroteRequest without an error).
// Conservative by construction: any such request counts, a token request
// made on the way included.
func TrackSent(ctx context.Context) (context.Context, *SentRecorder) {
	s := &SentRecorder{}
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				s.sent.Store(true)
			}
		},
	}), s
}

// Sent reports whether a request was written in full.
func (s *SentRecorder) Sent() bool { return s.sent.Load() }
