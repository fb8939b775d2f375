package m365sim

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// An OPATH filter parser for the subset of recipient filters the emulator
// serves: comparisons with -eq, -ne and -like, combined with -and, -or, -not
// and parentheses; values are quoted strings ('x' or "x", a doubled quote
// escapes one), bare words, integers, $true, $false and $null.
//
// Syntax and semantics follow "Additional OPATH syntax information"
// (https://learn.microsoft.com/powershell/exchange/recipient-filters#additional-opath-syntax-information)
// and the Filter parameter of Get-Mailbox
// (https://learn.microsoft.com/powershell/module/exchangepowershell/get-mailbox):
// comparisons are case-insensitive, -like takes * wildcards, a
// multi-valued property matches when any of its values does, and
// "-eq $null" matches an empty property. Exchange rejects an unknown property
// or bad syntax when it binds the parameter, before the cmdlet runs; the
// emulator answers 400 the same way. Operators Exchange has but this subset
// does not (-gt, -lt, -ge, -le, -notlike, -ceq, ...) are rejected too, so the
// emulator is never more lenient than the service.

// opathKind is the type of a filterable property.
type opathKind int

const (
	opathString opathKind = iota
	opathBool
	opathMulti // multi-valued string property
)

// opathExpr is a parsed filter.
type opathExpr interface {
	eval(o Object) bool
}

type opathAnd struct{ l, r opathExpr }
type opathOr struct{ l, r opathExpr }
type opathNot struct{ e opathExpr }

func (e opathAnd) eval(o Object) bool { return e.l.eval(o) && e.r.eval(o) }
func (e opathOr) eval(o Object) bool  { return e.l.eval(o) || e.r.eval(o) }
func (e opathNot) eval(o Object) bool { return !e.e.eval(o) }

type opathCmp struct {
	prop   string // canonical property name
	kind   opathKind
	op     string // eq, ne, like
	isNull bool
	b      bool
	s      string
}

func (c opathCmp) eval(o Object) bool {
	v := o[c.prop]
	var match bool
	switch {
	case c.isNull:
		match = isEmptyValue(v)
	case c.kind == opathBool:
		b, ok := v.(bool)
		match = ok && b == c.b
	default:
		match = anyValue(v, func(s string) bool {
			if c.op == "like" {
				return wildcardMatch(c.s, s)
			}
			return strings.EqualFold(s, c.s)
		})
	}
	if c.op == "ne" {
		return !match
	}
	return match
}

func isEmptyValue(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case []string:
		return len(t) == 0
	case []any:
		return len(t) == 0
	}
	return false
}

func anyValue(v any, f func(string) bool) bool {
	switch t := v.(type) {
	case string:
		return f(t)
	case []string:
		for _, s := range t {
			if f(s) {
				return true
			}
		}
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok && f(s) {
				return true
			}
		}
	case bool:
		return f(strconv.FormatBool(t))
	case float64:
		return f(strconv.FormatFloat(t, 'f', -1, 64))
	case int:
		return f(strconv.Itoa(t))
	}
	return false
}

// wildcardMatch matches s against a pattern where * stands for any run of
// characters, case-insensitively.
func wildcardMatch(pattern, s string) bool {
	p := strings.ToLower(pattern)
	s = strings.ToLower(s)
	parts := strings.Split(p, "*")
	if len(parts) == 1 {
		return p == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}

// opathError is a filter Exchange refuses when binding -Filter.
func opathError(msg string) *CmdletError {
	return &CmdletError{Status: 400, Code: "BadRequest", Exception: "System.Management.Automation.ParameterBindingException",
		Message: fmt.Sprintf("Cannot bind parameter 'Filter' to the target. Exception setting \"Filter\": \"%s\"", msg)}
}

type opathToken struct {
	kind string // "(", ")", "op", "var", "str", "word", "eof"
	text string
	pos  int
}

func tokenizeOPATH(s string) ([]opathToken, *CmdletError) {
	var toks []opathToken
	rs := []rune(s)
	syntax := func(pos int) *CmdletError {
		return opathError(fmt.Sprintf("Invalid filter syntax. For a description of the filter parameter syntax see the command help.\n\"%s\" at position %d.", s, pos+1))
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(' || r == ')':
			toks = append(toks, opathToken{kind: string(r), text: string(r), pos: i})
			i++
		case r == '-':
			j := i + 1
			for j < len(rs) && unicode.IsLetter(rs[j]) {
				j++
			}
			if j == i+1 {
				return nil, syntax(i)
			}
			toks = append(toks, opathToken{kind: "op", text: strings.ToLower(string(rs[i+1 : j])), pos: i})
			i = j
		case r == '$':
			j := i + 1
			for j < len(rs) && unicode.IsLetter(rs[j]) {
				j++
			}
			toks = append(toks, opathToken{kind: "var", text: strings.ToLower(string(rs[i+1 : j])), pos: i})
			i = j
		case r == '\'' || r == '"':
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(rs) {
				if rs[j] == r {
					if j+1 < len(rs) && rs[j+1] == r {
						b.WriteRune(r)
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				b.WriteRune(rs[j])
				j++
			}
			if !closed {
				return nil, syntax(i)
			}
			toks = append(toks, opathToken{kind: "str", text: b.String(), pos: i})
			i = j
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '(' && rs[j] != ')' && rs[j] != '\'' && rs[j] != '"' {
				j++
			}
			toks = append(toks, opathToken{kind: "word", text: string(rs[i:j]), pos: i})
			i = j
		}
	}
	toks = append(toks, opathToken{kind: "eof", pos: len(rs)})
	return toks, nil
}

type opathParser struct {
	src   string
	toks  []opathToken
	i     int
	props map[string]opathProp
}

// opathProp is a filterable property.
type opathProp struct {
	Name string
	Kind opathKind
}

// parseOPATH parses a filter against the filterable properties of a cmdlet
// (keyed by lower-case name).
func parseOPATH(filter string, props map[string]opathProp) (opathExpr, *CmdletError) {
	f := strings.TrimSpace(filter)
	// A script block passed as text: {AuditEnabled -eq $false}.
	if strings.HasPrefix(f, "{") && strings.HasSuffix(f, "}") {
		f = strings.TrimSpace(f[1 : len(f)-1])
	}
	toks, err := tokenizeOPATH(f)
	if err != nil {
		return nil, err
	}
	p := &opathParser{src: f, toks: toks, props: props}
	if p.peek().kind == "eof" {
		return nil, p.syntax()
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != "eof" {
		return nil, p.syntax()
	}
	return e, nil
}

func (p *opathParser) peek() opathToken { return p.toks[p.i] }
func (p *opathParser) next() opathToken {
	t := p.toks[p.i]
	if t.kind != "eof" {
		p.i++
	}
	return t
}

func (p *opathParser) syntax() *CmdletError {
	return opathError(fmt.Sprintf("Invalid filter syntax. For a description of the filter parameter syntax see the command help.\n\"%s\" at position %d.", p.src, p.peek().pos+1))
}

func (p *opathParser) or() (opathExpr, *CmdletError) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.kind == "op" && t.text == "or"; t = p.peek() {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = opathOr{l, r}
	}
	return l, nil
}

func (p *opathParser) and() (opathExpr, *CmdletError) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.kind == "op" && t.text == "and"; t = p.peek() {
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = opathAnd{l, r}
	}
	return l, nil
}

func (p *opathParser) unary() (opathExpr, *CmdletError) {
	if t := p.peek(); t.kind == "op" && t.text == "not" {
		p.next()
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return opathNot{e}, nil
	}
	return p.primary()
}

func (p *opathParser) primary() (opathExpr, *CmdletError) {
	t := p.peek()
	if t.kind == "(" {
		p.next()
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek().kind != ")" {
			return nil, p.syntax()
		}
		p.next()
		return e, nil
	}
	if t.kind != "word" {
		return nil, p.syntax()
	}
	p.next()
	prop, ok := p.props[strings.ToLower(t.text)]
	if !ok {
		return nil, opathError(fmt.Sprintf("'%s' is not a recognized filterable property. For a list of filterable properties see the command help.", t.text))
	}
	opTok := p.peek()
	if opTok.kind != "op" {
		return nil, p.syntax()
	}
	switch opTok.text {
	case "eq", "ne", "like":
	case "and", "or", "not":
		return nil, p.syntax()
	default:
		return nil, opathError(fmt.Sprintf("The comparison operator '-%s' isn't supported for the property '%s' by this emulator; use -eq, -ne or -like.", opTok.text, prop.Name))
	}
	p.next()
	c := opathCmp{prop: prop.Name, kind: prop.Kind, op: opTok.text}
	v := p.next()
	switch v.kind {
	case "var":
		switch v.text {
		case "null":
			c.isNull = true
		case "true", "false":
			if prop.Kind != opathBool {
				c.s = strings.ToUpper(v.text[:1]) + v.text[1:]
			}
			c.b = v.text == "true"
		default:
			return nil, opathError(fmt.Sprintf("The variable '$%s' is not defined; filters passed to the service can't reference local variables.", v.text))
		}
	case "str", "word":
		c.s = v.text
		if prop.Kind == opathBool {
			b, err := strconv.ParseBool(strings.ToLower(v.text))
			if err != nil {
				return nil, opathError(fmt.Sprintf("The value \"%s\" could not be converted to type System.Boolean.", v.text))
			}
			c.b = b
		}
	default:
		return nil, p.syntax()
	}
	if c.op == "like" && (c.isNull || prop.Kind == opathBool) {
		return nil, opathError(fmt.Sprintf("The -like operator can only be used with string properties; '%s' isn't one.", prop.Name))
	}
	return c, nil
}
