package cost

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FilterGrammar describes the filter language, for help texts and errors.
const FilterGrammar = `expr  := term { "or" term }
term  := factor { "and" factor }
factor:= "not" factor | "(" expr ")" | cond
cond  := DIM "in" "(" VALUE { "," VALUE } ")" | DIM "not" "in" "(" ... ")"
       | DIM "=" VALUE | DIM "!=" VALUE | DIM "contains" VALUE | DIM "contains" "(" ... ")"
       | DIM "exists" | DIM "not" "exists"
DIM   := a FOCUS column or tag:KEY;  VALUE := a word or a "quoted string"`

// MaxFilterLength bounds the text of a filter expression.
const MaxFilterLength = 64 << 10

// ParseFilter reads a filter expression such as
//
//	ServiceName in (EC2, "Amazon S3") and not tag:env = dev
//
// Keywords (and, or, not, in, contains, exists) ignore case; and binds
// tighter than or. A word runs up to a space or one of ( ) , = ! "; write
// anything else in double quotes, with \" and \\ as escapes. An empty text
// is no filter (nil). Errors are EInvalid and say where the text went
// wrong.
func ParseFilter(s string) (*Expr, error) {
	if len(s) > MaxFilterLength {
		return nil, Errorf(EInvalid, "the filter is %d bytes long; at most %d are allowed", len(s), MaxFilterLength)
	}
	if !utf8.ValidString(s) {
		return nil, Errorf(EInvalid, "the filter is not valid UTF-8")
	}
	p := &parser{src: s}
	if err := p.lex(); err != nil {
		return nil, err
	}
	if len(p.toks) == 0 {
		return nil, nil
	}
	e, err := p.expr(1)
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, p.errorf("expected and, or or the end, found %s", p.peek().text)
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	return e, nil
}

type tokKind int

const (
	tokWord tokKind = iota
	tokString
	tokPunct
)

type token struct {
	kind tokKind
	text string // the word, the unquoted string, or the punctuation
	at   int    // byte offset in the source
}

type parser struct {
	src  string
	toks []token
	pos  int
}

func (p *parser) errorf(format string, args ...any) error {
	at := len(p.src)
	if p.pos < len(p.toks) {
		at = p.toks[p.pos].at
	}
	return Errorf(EInvalid, "filter, at character %d: %s", utf8.RuneCountInString(p.src[:at])+1, fmt.Sprintf(format, args...))
}

func isPunct(r rune) bool { return strings.ContainsRune(`(),=!"`, r) }

func (p *parser) lex() error {
	s := p.src
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += n
		case r == '"':
			text, end, err := unquote(s, i)
			if err != nil {
				return err
			}
			p.toks = append(p.toks, token{kind: tokString, text: text, at: i})
			i = end
		case r == '!':
			if !strings.HasPrefix(s[i:], "!=") {
				return Errorf(EInvalid, "filter, at character %d: ! must be followed by =", utf8.RuneCountInString(s[:i])+1)
			}
			p.toks = append(p.toks, token{kind: tokPunct, text: "!=", at: i})
			i += 2
		case isPunct(r):
			p.toks = append(p.toks, token{kind: tokPunct, text: string(r), at: i})
			i += n
		default:
			start := i
			for i < len(s) {
				r, n := utf8.DecodeRuneInString(s[i:])
				if unicode.IsSpace(r) || isPunct(r) {
					break
				}
				i += n
			}
			word := s[start:i]
			// tag:"a key with spaces" is one dimension.
			if strings.EqualFold(word, TagPrefix) && i < len(s) && s[i] == '"' {
				text, end, err := unquote(s, i)
				if err != nil {
					return err
				}
				word, i = TagPrefix+text, end
			}
			p.toks = append(p.toks, token{kind: tokWord, text: word, at: start})
		}
	}
	return nil
}

// unquote reads the double-quoted string starting at s[i].
func unquote(s string, i int) (text string, end int, err error) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '"':
			return b.String(), j + 1, nil
		case '\\':
			if j+1 < len(s) && (s[j+1] == '"' || s[j+1] == '\\') {
				b.WriteByte(s[j+1])
				j++
				continue
			}
			return "", 0, Errorf(EInvalid, "filter, at character %d: only \\\" and \\\\ may follow a backslash",
				utf8.RuneCountInString(s[:j])+1)
		default:
			b.WriteByte(s[j])
		}
	}
	return "", 0, Errorf(EInvalid, "filter, at character %d: the string is not closed with \"", utf8.RuneCountInString(s[:i])+1)
}

func (p *parser) peek() token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return token{kind: tokPunct, text: "the end"}
}

// keyword reports whether the next token is the unquoted keyword kw, and
// consumes it if so.
func (p *parser) keyword(kw string) bool {
	t := p.peek()
	if p.pos < len(p.toks) && t.kind == tokWord && strings.EqualFold(t.text, kw) {
		p.pos++
		return true
	}
	return false
}

func (p *parser) punct(s string) bool {
	t := p.peek()
	if p.pos < len(p.toks) && t.kind == tokPunct && t.text == s {
		p.pos++
		return true
	}
	return false
}

func (p *parser) expr(depth int) (*Expr, error) {
	if depth > MaxFilterDepth {
		return nil, p.errorf("the filter nests more than %d deep: flatten it", MaxFilterDepth)
	}
	return p.chain(depth, OpOr, func() (*Expr, error) {
		return p.chain(depth, OpAnd, func() (*Expr, error) { return p.factor(depth) })
	})
}

// chain reads operands joined by the keyword op.
func (p *parser) chain(depth int, op Op, operand func() (*Expr, error)) (*Expr, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	args := []*Expr{first}
	for p.keyword(string(op)) {
		next, err := operand()
		if err != nil {
			return nil, err
		}
		args = append(args, next)
	}
	if len(args) == 1 {
		return first, nil
	}
	return &Expr{Op: op, Args: args}, nil
}

func (p *parser) factor(depth int) (*Expr, error) {
	if p.keyword("not") {
		e, err := p.factor(depth + 1)
		if err != nil {
			return nil, err
		}
		return Not(e), nil
	}
	if p.punct("(") {
		e, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		if !p.punct(")") {
			return nil, p.errorf("expected ), found %s", p.peek().text)
		}
		return e, nil
	}
	return p.condition()
}

func (p *parser) condition() (*Expr, error) {
	t := p.peek()
	if p.pos >= len(p.toks) || t.kind == tokPunct {
		return nil, p.errorf("expected a dimension (a FOCUS column or tag:KEY), found %s", t.text)
	}
	d, err := ParseDimension(t.text)
	if err != nil {
		return nil, p.errorf("%s", err.Error())
	}
	p.pos++
	switch {
	case p.punct("="):
		return p.values(d, OpIn, false)
	case p.punct("!="):
		return p.values(d, OpNotIn, false)
	case p.keyword("in"):
		return p.values(d, OpIn, true)
	case p.keyword("contains"):
		return p.values(d, OpContains, false)
	case p.keyword("exists"):
		return &Expr{Op: OpExists, Dimension: d}, nil
	case p.keyword("not"):
		if p.keyword("in") {
			return p.values(d, OpNotIn, true)
		}
		if p.keyword("exists") {
			return &Expr{Op: OpNotExists, Dimension: d}, nil
		}
		return nil, p.errorf("expected in or exists after not, found %s", p.peek().text)
	}
	return nil, p.errorf("expected =, !=, in, not in, contains, exists or not exists after %s, found %s",
		d.Name(), p.peek().text)
}

// values reads one value, or a parenthesised list (required when list).
func (p *parser) values(d Dimension, op Op, list bool) (*Expr, error) {
	e := &Expr{Op: op, Dimension: d}
	if !p.punct("(") {
		if list {
			return nil, p.errorf("expected ( and a list of values, found %s", p.peek().text)
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		e.Values = []string{v}
		return e, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		e.Values = append(e.Values, v)
		if p.punct(")") {
			return e, nil
		}
		if !p.punct(",") {
			return nil, p.errorf("expected , or ), found %s", p.peek().text)
		}
	}
}

func (p *parser) value() (string, error) {
	t := p.peek()
	if p.pos >= len(p.toks) || t.kind == tokPunct {
		return "", p.errorf("expected a value, found %s", t.text)
	}
	p.pos++
	return t.text, nil
}

// quoteValue writes v as a word when it reads back as itself, else quoted.
func quoteValue(v string) string {
	if v == "" || strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || isPunct(r) || r == '\\' }) {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
	}
	switch strings.ToLower(v) {
	case "and", "or", "not", "in", "contains", "exists":
		return strconv.Quote(v)
	}
	return v
}

func quoteDimension(d Dimension) string {
	if d.Column != "" {
		return d.Column
	}
	q := quoteValue(d.Tag)
	if strings.HasPrefix(q, `"`) || strings.EqualFold(d.Tag, TagPrefix) {
		return TagPrefix + `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(d.Tag) + `"`
	}
	return TagPrefix + d.Tag
}
