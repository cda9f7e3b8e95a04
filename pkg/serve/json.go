package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// A JSON value of a request body. The scoring path parses bodies with
// parseJSON rather than encoding/json into any: no interface boxing and
// numbers kept as their text until a column's kind is known, which makes
// decoding a 100-row dataframe_split several times cheaper (see
// BenchmarkInvocations).
type value struct {
	s string // kindNumber: the literal; kindString: the text
	// start and n locate the kids in the document's nodes: an array's
	// elements, or an object's keys (kindString) and values in turn, in
	// the body's order.
	start, n int32
	kind     kind
	b        bool // kindBool
}

// doc is a parsed body: every array's and object's kids in one slice,
// one allocation for the lot.
type doc struct {
	nodes []value
}

// kids returns the elements of an array, or the keys and values of an
// object.
func (d *doc) kids(v *value) []value { return d.nodes[v.start : v.start+v.n] }

type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

func (k kind) String() string {
	return [...]string{"null", "boolean", "number", "string", "array", "object"}[k]
}

// get returns the member named key of an object, the last when repeated
// (as encoding/json and Python's json do).
func (d *doc) get(v *value, key string) (*value, bool) {
	k := d.kids(v)
	for i := len(k) - 2; i >= 0; i -= 2 {
		if k[i].s == key {
			return &k[i+1], true
		}
	}
	return nil, false
}

// members calls f with each key and value of an object.
func (d *doc) members(v *value, f func(key string, val *value)) {
	k := d.kids(v)
	for i := 0; i+1 < len(k); i += 2 {
		f(k[i].s, &k[i+1])
	}
}

// any converts v to encoding/json's generic form (for messages).
func (d *doc) any(v *value) any {
	switch v.kind {
	case kindBool:
		return v.b
	case kindNumber:
		return json.Number(v.s)
	case kindString:
		return v.s
	case kindArray:
		k := d.kids(v)
		a := make([]any, len(k))
		for i := range k {
			a[i] = d.any(&k[i])
		}
		return a
	case kindObject:
		m := make(map[string]any, v.n/2)
		d.members(v, func(k string, e *value) { m[k] = d.any(e) })
		return m
	}
	return nil
}

// maxDepth bounds the nesting of a body: a dataframe needs 4 levels.
const maxDepth = 64

// syntaxError is a body that is not JSON, at byte Offset.
type syntaxError struct {
	msg    string
	Offset int
}

func (e *syntaxError) Error() string { return e.msg }

// parseJSON parses one JSON value (RFC 8259) filling the whole of b, of
// at most math.MaxInt32 bytes.
func parseJSON(b []byte) (*doc, *value, error) {
	if len(b) > math.MaxInt32 {
		return nil, nil, &syntaxError{msg: "body larger than 2 GiB", Offset: 0}
	}
	// An array of k values has k-1 commas, an object of k members 2k
	// nodes: this counts the nodes of most bodies (of a dataframe_split
	// exactly) so that they are allocated once. A value takes at least
	// two bytes of the body, so the nodes are at most 16 times its size.
	est := bytes.Count(b, []byte{','}) + bytes.Count(b, []byte{'['}) + 2*bytes.Count(b, []byte{'{'}) + 16
	p := parser{b: b, doc: &doc{nodes: make([]value, 0, min(est, len(b)/2+1))}, stack: make([]value, 0, 64)}
	p.space()
	v, err := p.value(0)
	if err != nil {
		return nil, nil, err
	}
	p.space()
	if p.i < len(p.b) {
		return nil, nil, p.fail("invalid character %s after top-level value")
	}
	return p.doc, &v, nil
}

type parser struct {
	b []byte
	i int
	// stack holds the elements of the arrays and objects being read;
	// each is copied into a slice of its exact size when it ends.
	stack []value
	doc   *doc
}

// done moves the elements pushed since mark into the document as v's
// kids.
func (p *parser) done(v *value, mark int) {
	v.start, v.n = int32(len(p.doc.nodes)), int32(len(p.stack)-mark)
	p.doc.nodes = append(p.doc.nodes, p.stack[mark:]...)
	clear(p.stack[mark:])
	p.stack = p.stack[:mark]
}

func (p *parser) fail(format string) error {
	c := "end of input"
	if p.i < len(p.b) {
		c = strconv.QuoteRune(rune(p.b[p.i]))
		if p.b[p.i] >= utf8.RuneSelf {
			c = fmt.Sprintf("byte 0x%02x", p.b[p.i])
		}
	}
	return &syntaxError{msg: fmt.Sprintf(format, c), Offset: p.i}
}

func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (value, error) {
	if p.i >= len(p.b) {
		return value{}, p.fail("unexpected %s, looking for a value")
	}
	switch c := p.b[p.i]; {
	case c == '{' || c == '[':
		if depth >= maxDepth {
			return value{}, p.fail(fmt.Sprintf("nested deeper than %d levels at %%s", maxDepth))
		}
		if c == '{' {
			return p.object(depth + 1)
		}
		return p.array(depth + 1)
	case c == '"':
		s, err := p.str()
		return value{kind: kindString, s: s}, err
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return value{kind: kindBool, b: true}, p.lit("true")
	case c == 'f':
		return value{kind: kindBool}, p.lit("false")
	case c == 'n':
		return value{}, p.lit("null")
	}
	return value{}, p.fail("invalid character %s looking for the beginning of a value")
}

func (p *parser) lit(s string) error {
	if len(p.b)-p.i >= len(s) && string(p.b[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return nil
	}
	for k := 0; k < len(s) && p.i < len(p.b) && p.b[p.i] == s[k]; k++ {
		p.i++
	}
	return p.fail("invalid character %s in literal " + s)
}

func (p *parser) array(depth int) (value, error) {
	p.i++ // [
	v := value{kind: kindArray}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return v, nil
	}
	mark := len(p.stack)
	for {
		p.space()
		e, err := p.value(depth)
		if err != nil {
			return value{}, err
		}
		p.stack = append(p.stack, e)
		p.space()
		if p.i >= len(p.b) {
			return value{}, p.fail("unexpected %s in an array")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			p.done(&v, mark)
			return v, nil
		default:
			return value{}, p.fail("invalid character %s after an array element")
		}
	}
}

func (p *parser) object(depth int) (value, error) {
	p.i++ // {
	v := value{kind: kindObject}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return v, nil
	}
	mark := len(p.stack)
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return value{}, p.fail("invalid character %s looking for the beginning of an object key string")
		}
		k, err := p.str()
		if err != nil {
			return value{}, err
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return value{}, p.fail("invalid character %s after an object key")
		}
		p.i++
		p.space()
		e, err := p.value(depth)
		if err != nil {
			return value{}, err
		}
		p.stack = append(p.stack, value{kind: kindString, s: k}, e)
		p.space()
		if p.i >= len(p.b) {
			return value{}, p.fail("unexpected %s in an object")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			p.done(&v, mark)
			return v, nil
		default:
			return value{}, p.fail("invalid character %s after an object key:value pair")
		}
	}
}

// str reads a string; one with escapes or bytes that are not valid UTF-8
// is decoded by encoding/json (invalid bytes become U+FFFD, as there).
func (p *parser) str() (string, error) {
	start := p.i
	p.i++ // "
	simple := true
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			if simple {
				return string(p.b[start+1 : p.i-1]), nil
			}
			var s string
			if err := json.Unmarshal(p.b[start:p.i], &s); err != nil {
				p.i = start
				return "", p.fail("invalid string starting with %s: " + err.Error())
			}
			return s, nil
		case c == '\\':
			simple = false
			p.i++
			if p.i >= len(p.b) {
				return "", p.fail("unexpected %s in a string escape")
			}
		case c < 0x20:
			return "", p.fail("invalid character %s in a string literal")
		case c >= utf8.RuneSelf:
			simple = false
		}
		p.i++
	}
	return "", p.fail("unexpected %s in a string literal")
}

// number reads a number literal as the grammar has it, keeping its text.
func (p *parser) number() (value, error) {
	start := p.i
	digits := func() int {
		n := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.b[p.i] == '-' {
		p.i++
	}
	if p.i < len(p.b) && p.b[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return value{}, p.fail("invalid character %s in numeric literal")
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return value{}, p.fail("invalid character %s after decimal point in numeric literal")
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return value{}, p.fail("invalid character %s in exponent of numeric literal")
		}
	}
	// The literal shares the body's memory, which is never written
	// after it is read: numbers are most of a body, and copying each
	// was 600 of the 735 allocations of a 100-row dataframe_split
	// (BenchmarkInvocations). Nothing keeps a literal past the request.
	return value{kind: kindNumber, s: unsafe.String(&p.b[start], p.i-start)}, nil
}
