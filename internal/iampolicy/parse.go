package iampolicy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Effect values. IAM compares them case-sensitively.
const (
	Allow = "Allow"
	Deny  = "Deny"
)

// Document is a parsed IAM policy document. Every list that IAM lets a
// policy write as a single string is a slice here, whichever form the text
// used.
type Document struct {
	// Name identifies the document in audit findings, such as the policy
	// ARN. Parse leaves it empty and the JSON form leaves it out.
	Name string
	// Version is the policy language version: "2012-10-17", "2008-10-17",
	// or "" when the document has none (IAM then assumes "2008-10-17").
	Version string
	// ID is the optional top-level Id element.
	ID         string
	Statements []Statement
}

// Statement is one statement of a policy. Exactly one of Actions and
// NotActions is set; at most one of Resources and NotResources, and of
// Principal and NotPrincipal.
type Statement struct {
	Sid    string
	Effect string // Allow or Deny

	Actions, NotActions     []string
	Resources, NotResources []string

	// Principal and NotPrincipal map a principal type ("AWS", "Service",
	// "Federated", "CanonicalUser") to its values. "Principal": "*" is
	// {"*": ["*"]}. Only trust and other resource-based policies have them.
	Principal, NotPrincipal map[string][]string

	// Conditions maps an operator to keys to values, as written:
	// "StringEquals" -> "sts:ExternalId" -> ["..."]. Booleans and numbers
	// are kept as their JSON text ("true", "3600").
	Conditions map[string]map[string][]string
}

// ParseError is a policy document that could not be read. It says what is
// wrong and where, and never repeats a condition value, which may be secret.
type ParseError struct {
	Statement int // 1-based; 0 when the problem is not in one statement
	Problem   string
}

// Error reads "statement N: problem", or just the problem.
func (e *ParseError) Error() string {
	if e.Statement > 0 {
		return fmt.Sprintf("statement %d: %s", e.Statement, e.Problem)
	}
	return e.Problem
}

var (
	documentElements  = []string{"Id", "Statement", "Version"}
	statementElements = []string{"Action", "Condition", "Effect", "NotAction", "NotPrincipal", "NotResource", "Principal", "Resource", "Sid"}
)

// Parse reads a policy document as IAM returns it: plain JSON, or the
// URL-encoded JSON of GetPolicyVersion and ListRoles (decoded when the text
// starts with "%7B" or holds no '{'). Statement may be one object or an
// array; Action, NotAction, Resource and NotResource a string or an array;
// Principal "*" or an object of strings or arrays; condition values strings,
// booleans, numbers or arrays of them. Errors are *ParseError.
func Parse(doc string) (*Document, error) {
	text := strings.TrimSpace(doc)
	if text == "" {
		return nil, &ParseError{Problem: "the policy document is empty"}
	}
	if len(text) >= 3 && strings.EqualFold(text[:3], "%7B") || !strings.Contains(text, "{") {
		// RFC 3986 encoding, as IAM documents it: '+' is a plus, not a space.
		decoded, err := url.PathUnescape(text)
		if err != nil {
			return nil, &ParseError{Problem: fmt.Sprintf("the policy document is neither JSON nor URL-encoded JSON: %v", err)}
		}
		text = strings.TrimSpace(decoded)
	}
	obj, err := object(json.RawMessage(text), "the policy document", documentElements)
	if err != nil {
		return nil, err
	}
	d := &Document{}
	if d.Version, err = optionalString(obj, "Version"); err != nil {
		return nil, err
	}
	if d.Version != "" && d.Version != "2012-10-17" && d.Version != "2008-10-17" {
		return nil, &ParseError{Problem: fmt.Sprintf(`Version must be "2012-10-17" or "2008-10-17", got %q`, d.Version)}
	}
	if d.ID, err = optionalString(obj, "Id"); err != nil {
		return nil, err
	}
	raws, err := statementList(obj["Statement"])
	if err != nil {
		return nil, err
	}
	for i, raw := range raws {
		s, err := parseStatement(raw)
		if err != nil {
			pe := err.(*ParseError)
			pe.Statement = i + 1
			return nil, pe
		}
		d.Statements = append(d.Statements, s)
	}
	return d, nil
}

// problemf returns a *ParseError; Parse adds the statement number.
func problemf(format string, args ...any) error {
	return &ParseError{Problem: fmt.Sprintf(format, args...)}
}

// object decodes raw as a JSON object whose keys must be among known.
func object(raw json.RawMessage, what string, known []string) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		if se, ok := errors.AsType[*json.SyntaxError](err); ok {
			return nil, problemf("invalid JSON at byte %d: %v", se.Offset, se)
		}
		return nil, problemf("%s must be a JSON object", what)
	}
	if obj == nil {
		return nil, problemf("%s must be a JSON object, got null", what)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(known, k) {
			return nil, problemf("unknown element %q (element names are case-sensitive; expected one of %s)", k, strings.Join(known, ", "))
		}
	}
	return obj, nil
}

func isNull(raw json.RawMessage) bool {
	return raw == nil || strings.TrimSpace(string(raw)) == "null"
}

// optionalString reads an element that is absent, null or a string.
func optionalString(obj map[string]json.RawMessage, name string) (string, error) {
	raw := obj[name]
	if isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", problemf("%s must be a string", name)
	}
	return s, nil
}

func statementList(raw json.RawMessage) ([]json.RawMessage, error) {
	if isNull(raw) {
		return nil, problemf("the policy document has no Statement")
	}
	if first(raw) == '{' {
		return []json.RawMessage{raw}, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, problemf("Statement must be an object or an array of objects")
	}
	if len(list) == 0 {
		return nil, problemf("Statement is an empty array")
	}
	return list, nil
}

// first returns the first non-space byte of raw, or 0.
func first(raw json.RawMessage) byte {
	s := strings.TrimSpace(string(raw))
	if s == "" {
		return 0
	}
	return s[0]
}

func parseStatement(raw json.RawMessage) (Statement, error) {
	var s Statement
	obj, err := object(raw, "a statement", statementElements)
	if err != nil {
		return s, err
	}
	if s.Sid, err = optionalString(obj, "Sid"); err != nil {
		return s, err
	}
	if s.Effect, err = optionalString(obj, "Effect"); err != nil {
		return s, err
	}
	switch {
	case s.Effect == Allow || s.Effect == Deny:
	case obj["Effect"] == nil:
		return s, problemf(`Effect is missing: it must be "Allow" or "Deny"`)
	case strings.EqualFold(s.Effect, Allow) || strings.EqualFold(s.Effect, Deny):
		return s, problemf(`Effect must be "Allow" or "Deny" (IAM compares it case-sensitively), got %q`, s.Effect)
	default:
		return s, problemf(`Effect must be "Allow" or "Deny", got %q`, s.Effect)
	}
	if s.Actions, s.NotActions, err = either(obj, "Action", "NotAction", true); err != nil {
		return s, err
	}
	for _, a := range slices.Concat(s.Actions, s.NotActions) {
		if err := checkAction(a); err != nil {
			return s, err
		}
	}
	if s.Resources, s.NotResources, err = either(obj, "Resource", "NotResource", false); err != nil {
		return s, err
	}
	for _, r := range slices.Concat(s.Resources, s.NotResources) {
		if r != "*" && !strings.HasPrefix(r, "arn:") {
			return s, problemf(`Resource %q must be "*" or an ARN such as "arn:aws:s3:::my-bucket"`, r)
		}
	}
	if err := bothNotAllowed(obj, "Principal", "NotPrincipal"); err != nil {
		return s, err
	}
	if s.Principal, err = principal(obj["Principal"], "Principal"); err != nil {
		return s, err
	}
	if s.NotPrincipal, err = principal(obj["NotPrincipal"], "NotPrincipal"); err != nil {
		return s, err
	}
	s.Conditions, err = conditions(obj["Condition"])
	return s, err
}

func bothNotAllowed(obj map[string]json.RawMessage, name, notName string) error {
	if obj[name] != nil && obj[notName] != nil {
		return problemf("it has both %s and %s: use one", name, notName)
	}
	return nil
}

// either reads the element name or its negation notName.
func either(obj map[string]json.RawMessage, name, notName string, required bool) (list, notList []string, err error) {
	if err := bothNotAllowed(obj, name, notName); err != nil {
		return nil, nil, err
	}
	switch {
	case obj[name] != nil:
		list, err = stringList(obj[name], name)
	case obj[notName] != nil:
		notList, err = stringList(obj[notName], notName)
	case required:
		err = problemf("it needs an %s or a %s element", name, notName)
	}
	return list, notList, err
}

// stringList reads a string or a non-empty array of strings.
func stringList(raw json.RawMessage, name string) ([]string, error) {
	var one string
	if first(raw) == '"' && json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var list []string
	if isNull(raw) || json.Unmarshal(raw, &list) != nil {
		return nil, problemf("%s must be a string or an array of strings", name)
	}
	if len(list) == 0 {
		return nil, problemf("%s is an empty array", name)
	}
	return list, nil
}

func checkAction(a string) error {
	if a == "*" {
		return nil
	}
	service, name, ok := strings.Cut(a, ":")
	if !ok || service == "" || name == "" {
		return problemf(`Action %q must be "*" or service:action, such as "s3:GetObject"`, a)
	}
	return nil
}

// principal reads "*" or an object of strings or string arrays.
func principal(raw json.RawMessage, name string) (map[string][]string, error) {
	if raw == nil {
		return nil, nil
	}
	var star string
	if first(raw) == '"' && json.Unmarshal(raw, &star) == nil {
		if star != "*" {
			return nil, problemf(`%s must be "*" or an object such as {"AWS": "arn:aws:iam::123456789012:root"}, got %q`, name, star)
		}
		return map[string][]string{"*": {"*"}}, nil
	}
	var obj map[string]json.RawMessage
	if isNull(raw) || json.Unmarshal(raw, &obj) != nil {
		return nil, problemf(`%s must be "*" or an object such as {"AWS": "arn:aws:iam::123456789012:root"}`, name)
	}
	if len(obj) == 0 {
		return nil, problemf("%s is an empty object", name)
	}
	p := make(map[string][]string, len(obj))
	for typ, v := range obj {
		list, err := stringList(v, name+" "+typ)
		if err != nil {
			return nil, err
		}
		p[typ] = list
	}
	return p, nil
}

// conditions reads the Condition block, turning booleans and numbers into
// their JSON text. Errors name the operator and key, never a value.
func conditions(raw json.RawMessage) (map[string]map[string][]string, error) {
	if isNull(raw) {
		return nil, nil
	}
	var ops map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &ops); err != nil {
		return nil, problemf(`Condition must be an object such as {"StringEquals": {"sts:ExternalId": "..."}}`)
	}
	if len(ops) == 0 {
		return nil, nil
	}
	out := make(map[string]map[string][]string, len(ops))
	for op, keys := range ops {
		if op == "" || len(keys) == 0 {
			return nil, problemf("Condition operator %q has no condition keys", op)
		}
		out[op] = make(map[string][]string, len(keys))
		for key, v := range keys {
			values, err := conditionValues(v)
			if err != nil {
				return nil, problemf("Condition %s %s: %v", op, key, err)
			}
			out[op][key] = values
		}
	}
	return out, nil
}

func conditionValues(raw json.RawMessage) ([]string, error) {
	var one any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&one); err != nil {
		return nil, problemf("values must be strings, numbers or booleans")
	}
	list, isList := one.([]any)
	if !isList {
		list = []any{one}
	}
	if len(list) == 0 {
		return nil, problemf("the list of values is empty")
	}
	values := make([]string, 0, len(list))
	for _, v := range list {
		switch v := v.(type) {
		case string:
			values = append(values, v)
		case json.Number:
			values = append(values, v.String())
		case bool:
			values = append(values, fmt.Sprint(v))
		default:
			return nil, problemf("values must be strings, numbers or booleans")
		}
	}
	return values, nil
}
