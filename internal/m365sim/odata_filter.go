package m365sim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// An OData $filter parser for the sign-in and Identity Protection
// collections: comparisons (eq ne gt ge lt le), startsWith(), and/or and
// parentheses, on the properties each resource documents as filterable.
// Anything else is answered as Graph does: 400 BadRequest "Invalid filter
// clause" (https://learn.microsoft.com/en-us/graph/filter-query-parameter;
// the message forms are those Graph returns, e.g. "Invalid filter clause:
// Could not find a property named 'x' on type 'microsoft.graph.signIn'.").
// Filters compile to a predicate over the emulator's compact records, so a
// large log is filtered before it is paged.

type filterKind int

const (
	filterString filterKind = iota
	filterInt
	filterTime
)

// filterField is one filterable property.
type filterField[T any] struct {
	Kind filterKind
	// Ops lists the allowed operators, e.g. "eq ne startswith".
	Ops string
	// Enum, when set, lists the values a string property accepts.
	Enum []string
	Str  func(*T) string
	// Int returns integers, or for time properties Unix nanoseconds.
	Int func(*T) int64
}

// filterSchema describes a collection's filterable properties.
type filterSchema[T any] struct {
	// Type is the entity type named in errors, e.g. microsoft.graph.signIn.
	Type string
	// Fields by lower-case property path (status/errorcode).
	Fields map[string]filterField[T]
}

func filterErr(format string, args ...any) *GraphError {
	return &GraphError{Status: 400, Code: "BadRequest", Message: "Invalid filter clause: " + fmt.Sprintf(format, args...)}
}

type filterToken struct {
	text string
	pos  int
	str  bool // a quoted string literal (text is unquoted)
}

func tokenizeFilter(s string) ([]filterToken, *GraphError) {
	var out []filterToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')' || c == ',':
			out = append(out, filterToken{text: string(c), pos: i})
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, filterErr("There is an unterminated string literal at position %d in '%s'.", i, s)
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			out = append(out, filterToken{text: b.String(), pos: i, str: true})
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t(),'", rune(s[j])) {
				j++
			}
			out = append(out, filterToken{text: s[i:j], pos: i})
			i = j
		}
	}
	return out, nil
}

type filterParser[T any] struct {
	schema *filterSchema[T]
	src    string
	toks   []filterToken
	i      int
}

func (p *filterParser[T]) peek() *filterToken {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return nil
}

func (p *filterParser[T]) syntax() *GraphError {
	pos := len(p.src)
	if t := p.peek(); t != nil {
		pos = t.pos
	}
	return filterErr("Syntax error at position %d in '%s'.", pos, p.src)
}

// compileFilter parses expr against schema; an empty expr matches everything.
func compileFilter[T any](schema *filterSchema[T], expr string) (func(*T) bool, *GraphError) {
	if strings.TrimSpace(expr) == "" {
		return func(*T) bool { return true }, nil
	}
	toks, ge := tokenizeFilter(expr)
	if ge != nil {
		return nil, ge
	}
	p := &filterParser[T]{schema: schema, src: expr, toks: toks}
	f, ge := p.or()
	if ge != nil {
		return nil, ge
	}
	if p.peek() != nil {
		return nil, p.syntax()
	}
	return f, nil
}

func (p *filterParser[T]) or() (func(*T) bool, *GraphError) {
	l, ge := p.and()
	if ge != nil {
		return nil, ge
	}
	for t := p.peek(); t != nil && !t.str && t.text == "or"; t = p.peek() {
		p.i++
		r, ge := p.and()
		if ge != nil {
			return nil, ge
		}
		a := l
		l = func(x *T) bool { return a(x) || r(x) }
	}
	return l, nil
}

func (p *filterParser[T]) and() (func(*T) bool, *GraphError) {
	l, ge := p.primary()
	if ge != nil {
		return nil, ge
	}
	for t := p.peek(); t != nil && !t.str && t.text == "and"; t = p.peek() {
		p.i++
		r, ge := p.primary()
		if ge != nil {
			return nil, ge
		}
		a := l
		l = func(x *T) bool { return a(x) && r(x) }
	}
	return l, nil
}

func (p *filterParser[T]) expect(text string) *GraphError {
	t := p.peek()
	if t == nil || t.str || t.text != text {
		return p.syntax()
	}
	p.i++
	return nil
}

func (p *filterParser[T]) field() (string, filterField[T], *GraphError) {
	t := p.peek()
	if t == nil || t.str || t.text == "(" || t.text == ")" || t.text == "," {
		return "", filterField[T]{}, p.syntax()
	}
	p.i++
	f, ok := p.schema.Fields[strings.ToLower(t.text)]
	if !ok {
		name := t.text
		if i := strings.LastIndex(name, "/"); i >= 0 {
			name = name[i+1:]
		}
		return "", f, filterErr("Could not find a property named '%s' on type '%s'.", name, p.schema.Type)
	}
	return t.text, f, nil
}

func (p *filterParser[T]) primary() (func(*T) bool, *GraphError) {
	t := p.peek()
	if t == nil {
		return nil, p.syntax()
	}
	if !t.str && t.text == "(" {
		p.i++
		f, ge := p.or()
		if ge != nil {
			return nil, ge
		}
		if ge := p.expect(")"); ge != nil {
			return nil, ge
		}
		return f, nil
	}
	if !t.str && t.text == "not" {
		return nil, filterErr("The operator 'not' is not supported on type '%s'.", p.schema.Type)
	}
	if !t.str && strings.EqualFold(t.text, "startswith") && p.i+1 < len(p.toks) && p.toks[p.i+1].text == "(" {
		p.i += 2
		name, f, ge := p.field()
		if ge != nil {
			return nil, ge
		}
		if ge := p.expect(","); ge != nil {
			return nil, ge
		}
		v := p.peek()
		if v == nil || !v.str {
			return nil, p.syntax()
		}
		p.i++
		if ge := p.expect(")"); ge != nil {
			return nil, ge
		}
		if f.Kind != filterString || !slices.Contains(strings.Fields(f.Ops), "startswith") {
			return nil, filterErr("The function 'startswith' is not supported for the property '%s'.", name)
		}
		prefix := strings.ToLower(v.text)
		get := f.Str
		return func(x *T) bool { return strings.HasPrefix(strings.ToLower(get(x)), prefix) }, nil
	}
	if !t.str && strings.Contains(t.text, "/any") {
		return nil, filterErr("Lambda expressions are not supported on type '%s'.", p.schema.Type)
	}
	name, f, ge := p.field()
	if ge != nil {
		return nil, ge
	}
	opTok := p.peek()
	if opTok == nil || opTok.str {
		return nil, p.syntax()
	}
	op := opTok.text
	if !slices.Contains([]string{"eq", "ne", "gt", "ge", "lt", "le"}, op) {
		return nil, p.syntax()
	}
	p.i++
	if !slices.Contains(strings.Fields(f.Ops), op) {
		return nil, filterErr("The operator '%s' is not supported for the property '%s'.", op, name)
	}
	v := p.peek()
	if v == nil || (!v.str && (v.text == "(" || v.text == ")" || v.text == ",")) {
		return nil, p.syntax()
	}
	p.i++
	switch f.Kind {
	case filterString:
		if !v.str {
			if v.text == "null" {
				return nil, filterErr("Comparison with null is not supported for the property '%s'.", name)
			}
			return nil, filterErr("A binary operator with incompatible types was detected. Found operand types 'Edm.String' and '%s' for operator kind '%s'.", literalType(v.text), opKind(op))
		}
		want := v.text
		if len(f.Enum) > 0 {
			i := slices.IndexFunc(f.Enum, func(e string) bool { return strings.EqualFold(e, want) })
			if i < 0 {
				return nil, filterErr("The string '%s' is not a valid enumeration type constant.", want)
			}
			want = f.Enum[i]
		}
		get := f.Str
		want = strings.ToLower(want)
		cmp := func(x *T) int { return strings.Compare(strings.ToLower(get(x)), want) }
		return compareWith(op, cmp), nil
	case filterInt:
		if v.str {
			return nil, filterErr("A binary operator with incompatible types was detected. Found operand types 'Edm.Int32' and 'Edm.String' for operator kind '%s'.", opKind(op))
		}
		n, err := strconv.ParseInt(v.text, 10, 64)
		if err != nil {
			return nil, filterErr("A binary operator with incompatible types was detected. Found operand types 'Edm.Int32' and '%s' for operator kind '%s'.", literalType(v.text), opKind(op))
		}
		get := f.Int
		return compareWith(op, func(x *T) int { return cmpInt(get(x), n) }), nil
	default:
		if v.str {
			return nil, filterErr("A binary operator with incompatible types was detected. Found operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind '%s'.", opKind(op))
		}
		at, err := parseFilterTime(v.text)
		if err != nil {
			return nil, filterErr("The DateTimeOffset text '%s' should be in format 'yyyy-mm-ddThh:mm:ss('.'s+)?(zzzzzz)?' and each field value is within valid range.", v.text)
		}
		n := at.UnixNano()
		get := f.Int
		return compareWith(op, func(x *T) int { return cmpInt(get(x), n) }), nil
	}
}

func parseFilterTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", s)
}

func literalType(s string) string {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return "Edm.Int32"
	}
	if _, err := parseFilterTime(s); err == nil {
		return "Edm.DateTimeOffset"
	}
	if s == "true" || s == "false" {
		return "Edm.Boolean"
	}
	return "Edm.Untyped"
}

func opKind(op string) string {
	return map[string]string{"eq": "Equal", "ne": "NotEqual", "gt": "GreaterThan", "ge": "GreaterThanOrEqual", "lt": "LessThan", "le": "LessThanOrEqual"}[op]
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareWith[T any](op string, cmp func(*T) int) func(*T) bool {
	switch op {
	case "eq":
		return func(x *T) bool { return cmp(x) == 0 }
	case "ne":
		return func(x *T) bool { return cmp(x) != 0 }
	case "gt":
		return func(x *T) bool { return cmp(x) > 0 }
	case "ge":
		return func(x *T) bool { return cmp(x) >= 0 }
	case "lt":
		return func(x *T) bool { return cmp(x) < 0 }
	default:
		return func(x *T) bool { return cmp(x) <= 0 }
	}
}
