package m365sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
)

// The snapshot file keeps every tenant's objects so a standalone emulator can
// be restarted without losing the state terraform has applied.

type snapshotFile struct {
	Version int                                   `json:"version"`
	Tenants map[string]map[string][]SnapshotEntry `json:"tenants"`
}

func (s *Server) saveSnapshot() error {
	if s.opts.SnapshotPath == "" {
		return nil
	}
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	f := snapshotFile{Version: 1, Tenants: map[string]map[string][]SnapshotEntry{}}
	for _, t := range s.allTenants() {
		f.Tenants[t.ID] = t.Store.snapshot()
	}
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return err
	}
	return writeFileAtomic(s.opts.SnapshotPath, b, 0o600)
}

func (s *Server) loadSnapshot(path string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var f snapshotFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("snapshot %s: %w", path, err)
	}
	for tid, kinds := range f.Tenants {
		t := s.Tenant(tid)
		if t == nil {
			return fmt.Errorf("snapshot %s: tenant %s is not in the fixture", path, tid)
		}
		st := newStore(s.now)
		for kind, entries := range kinds {
			for _, e := range entries {
				st.Put(kind, e.ID, e.Object, 0)
			}
		}
		t.Store = st
	}
	return nil
}

// changed is called after every successful write.
func (s *Server) changed() {
	if s.opts.SnapshotPath == "" {
		return
	}
	if err := s.saveSnapshot(); err != nil {
		s.opts.Logf("snapshot: %v", err)
	}
}

func (s *Server) allTenants() []*Tenant {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seen := map[*Tenant]bool{}
	var out []*Tenant
	for _, t := range s.tenants {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
