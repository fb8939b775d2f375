package common

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestTrackSent(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		if r.URL.Path == "/slow" {
			<-r.Context().Done()
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	post := func(ctx context.Context, path string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+path, nil)
		resp, err := srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}

	// Cancelled before sending: nothing reaches the server.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sctx, sent := TrackSent(ctx)
	if err := post(sctx, "/"); err == nil {
		t.Fatal("a request on a cancelled context succeeded")
	}
	if sent.Sent() {
		t.Fatal("a request cancelled before sending counts as sent")
	}
	select {
	case <-arrived:
		t.Fatal("the cancelled request reached the server")
	default:
	}

	// Cancelled while waiting for the answer: it was sent.
	ctx, cancel = context.WithCancel(context.Background())
	sctx, sent = TrackSent(ctx)
	go func() {
		<-arrived
		cancel()
	}()
	if err := post(sctx, "/slow"); err == nil {
		t.Fatal("the interrupted request succeeded")
	}
	if !sent.Sent() {
		t.Fatal("a request the server received does not count as sent")
	}

	// Answered.
	sctx, sent = TrackSent(context.Background())
	if err := post(sctx, "/"); err != nil || !sent.Sent() {
		t.Fatalf("answered request: err %v, sent %v", err, sent.Sent())
	}
	select {
	case <-arrived:
	case <-time.After(time.Second):
		t.Fatal("the answered request did not reach the server")
	}
}
