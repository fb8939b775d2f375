package m365sim

import (
	"sort"
	"strings"
	"sync"
	"time"
)

// Object is one tenant object as the service reports it: a property bag whose
// keys are the property names Exchange or Graph use on the wire.
type Object map[string]any

// Clone returns a deep copy so callers never share maps or slices with the store.
func (o Object) Clone() Object {
	if o == nil {
		return nil
	}
	out := make(Object, len(o))
	for k, v := range o {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case Object:
		return t.Clone()
	case map[string]any:
		return Object(t).Clone()
	case []any:
		c := make([]any, len(t))
		for i := range t {
			c[i] = cloneValue(t[i])
		}
		return c
	case []string:
		return append([]string(nil), t...)
	case []Object:
		c := make([]Object, len(t))
		for i := range t {
			c[i] = t[i].Clone()
		}
		return c
	default:
		return v
	}
}

// record is what the store keeps per object: the current version and, while a
// write is still replicating, the version readers see until visibleAt.
type record struct {
	id        string // the identity as first written
	current   Object
	previous  Object // nil: the object did not exist before the write
	deleted   bool   // the last write was a delete
	visibleAt time.Time
}

// collection holds the objects of one kind for one tenant. Keys are compared
// case-insensitively, as Exchange identities and Graph ids are.
type collection struct {
	records map[string]*record
	order   []string // insertion order, so listings are stable
}

// Store is a tenant's state. All access goes through its methods, which take
// the lock and apply replication lag.
type Store struct {
	mu    sync.RWMutex
	kinds map[string]*collection
	now   func() time.Time
}

func newStore(now func() time.Time) *Store {
	return &Store{kinds: map[string]*collection{}, now: now}
}

func key(id string) string { return strings.ToLower(id) }

func (s *Store) coll(kind string) *collection {
	c, ok := s.kinds[kind]
	if !ok {
		c = &collection{records: map[string]*record{}}
		s.kinds[kind] = c
	}
	return c
}

// visible returns the version of r a reader sees now (nil when it sees none).
func (s *Store) visible(r *record) Object {
	if r == nil {
		return nil
	}
	if !r.visibleAt.IsZero() && s.now().Before(r.visibleAt) {
		return r.previous
	}
	if r.deleted {
		return nil
	}
	return r.current
}

// Get returns a copy of the object as a reader sees it now (replication lag
// applies), or nil.
func (s *Store) Get(kind, id string) Object {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.kinds[kind]
	if c == nil {
		return nil
	}
	return s.visible(c.records[key(id)]).Clone()
}

// GetLatest returns the newest version, ignoring replication lag: what a write
// operates on (the service's primary copy).
func (s *Store) GetLatest(kind, id string) Object {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.kinds[kind]
	if c == nil {
		return nil
	}
	r := c.records[key(id)]
	if r == nil || r.deleted {
		return nil
	}
	return r.current.Clone()
}

// List returns copies of all objects of a kind that a reader sees now, in
// insertion order.
func (s *Store) List(kind string) []Object {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.kinds[kind]
	if c == nil {
		return nil
	}
	out := make([]Object, 0, len(c.order))
	for _, k := range c.order {
		if o := s.visible(c.records[k]); o != nil {
			out = append(out, o.Clone())
		}
	}
	return out
}

// Scan calls fn with each object of a kind a reader sees now, in insertion
// order, until fn returns false. The objects are the store's own (no copy):
// fn must not modify or keep them. It lets large listings filter before
// copying.
func (s *Store) Scan(kind string, fn func(o Object) bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.kinds[kind]
	if c == nil {
		return
	}
	for _, k := range c.order {
		if o := s.visible(c.records[k]); o != nil {
			if !fn(o) {
				return
			}
		}
	}
}

// ListLatest is List without replication lag.
func (s *Store) ListLatest(kind string) []Object {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.kinds[kind]
	if c == nil {
		return nil
	}
	out := make([]Object, 0, len(c.order))
	for _, k := range c.order {
		if r := c.records[k]; r != nil && !r.deleted {
			out = append(out, r.current.Clone())
		}
	}
	return out
}

// Count returns how many live objects of a kind exist (latest view).
func (s *Store) Count(kind string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.kinds[kind]
	if c == nil {
		return 0
	}
	n := 0
	for _, r := range c.records {
		if !r.deleted {
			n++
		}
	}
	return n
}

// Put writes an object. lag > 0 keeps the previous version visible to readers
// for that long, as the real service's replication does.
func (s *Store) Put(kind, id string, o Object, lag time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.coll(kind)
	k := key(id)
	r := c.records[k]
	if r == nil {
		r = &record{id: id}
		c.records[k] = r
		c.order = append(c.order, k)
	}
	if lag > 0 {
		r.previous = s.visible(r)
		r.visibleAt = s.now().Add(lag)
	} else {
		r.previous = nil
		r.visibleAt = time.Time{}
	}
	r.current = o.Clone()
	r.deleted = false
}

// Delete removes an object; with lag readers still see it for that long.
// It reports whether the object existed.
func (s *Store) Delete(kind, id string, lag time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.kinds[kind]
	if c == nil {
		return false
	}
	k := key(id)
	r := c.records[k]
	if r == nil || r.deleted {
		return false
	}
	if lag > 0 {
		r.previous = s.visible(r)
		r.visibleAt = s.now().Add(lag)
		r.deleted = true
		return true
	}
	delete(c.records, k)
	for i, ok := range c.order {
		if ok == k {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	return true
}

// SnapshotEntry is one object in a snapshot file.
type SnapshotEntry struct {
	ID     string `json:"id"`
	Object Object `json:"object"`
}

// snapshot returns every live object, latest view, for the snapshot file.
func (s *Store) snapshot() map[string][]SnapshotEntry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := map[string][]SnapshotEntry{}
	kinds := make([]string, 0, len(s.kinds))
	for k := range s.kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		c := s.kinds[kind]
		for _, k := range c.order {
			if r := c.records[k]; r != nil && !r.deleted {
				out[kind] = append(out[kind], SnapshotEntry{ID: r.id, Object: r.current.Clone()})
			}
		}
	}
	return out
}
