package iampolicy

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Sids of the statements PermissionsPolicy writes, by their first action.
var statementSids = map[string]string{
	"cur:DescribeReportDefinitions": "ReckonReadCostMetadata",
	"s3:ListBucket":                 "ReckonListReportBucket",
	"s3:GetObject":                  "ReckonReadReportFiles",
	"iam:ListAttachedRolePolicies":  "ReckonListOwnPolicies",
	"iam:ListPolicyVersions":        "ReckonReadOwnPolicies",
}

// PermissionsPolicy returns the least-privilege permissions policy for a
// role and policies not known yet, naming RolePlaceholder and
// PolicyPlaceholder for the user to replace:
// Target{Bucket: bucket, Prefix: prefix}.PermissionsPolicy().
func PermissionsPolicy(bucket, prefix string) string {
	return Target{Bucket: bucket, Prefix: prefix}.PermissionsPolicy()
}

// PermissionsPolicy returns the least-privilege permissions policy for the
// connector's role, ready for `aws iam create-policy --policy-document`:
// one statement for each set of resources, each with a Sid, no wildcard
// actions, keys in a fixed order, indented, with a final newline. Only the
// actions that support no resource-level permissions are on "*".
func (t Target) PermissionsPolicy() string {
	var actions []string
	resources := map[string][]string{} // action -> resources, as written
	for _, p := range t.Required() {
		if resources[p.Action] == nil {
			actions = append(actions, p.Action)
		}
		resources[p.Action] = append(resources[p.Action], p.named())
	}
	d := &Document{Version: "2012-10-17"}
	index := map[string]int{} // resources, joined -> statement
	for _, act := range actions {
		key := strings.Join(resources[act], "\n")
		i, ok := index[key]
		if !ok {
			i = len(d.Statements)
			index[key] = i
			d.Statements = append(d.Statements, Statement{Sid: statementSids[act], Effect: Allow, Resources: resources[act]})
		}
		d.Statements[i].Actions = append(d.Statements[i].Actions, act)
	}
	return d.String()
}

// TrustPolicy returns the trust policy for the connector's role: account
// trustedAccount (a 12-digit ID) may assume the role when it passes the
// external ID. It never asks for MFA, which a server cannot provide.
func TrustPolicy(trustedAccount, externalID string) string {
	d := &Document{Version: "2012-10-17", Statements: []Statement{{
		Sid:        "ReckonAssumeRole",
		Effect:     Allow,
		Principal:  map[string][]string{"AWS": {rootARN(trustedAccount)}},
		Actions:    []string{"sts:AssumeRole"},
		Conditions: map[string]map[string][]string{"StringEquals": {"sts:ExternalId": {externalID}}},
	}}}
	return d.String()
}

func rootARN(account string) string { return "arn:aws:iam::" + account + ":root" }

// jsonStatement fixes the key order IAM's console uses. The any fields
// hold a string for a single value and an array otherwise.
type jsonStatement struct {
	Sid          string                    `json:"Sid,omitempty"`
	Effect       string                    `json:"Effect"`
	Principal    any                       `json:"Principal,omitempty"`
	NotPrincipal any                       `json:"NotPrincipal,omitempty"`
	Action       any                       `json:"Action,omitempty"`
	NotAction    any                       `json:"NotAction,omitempty"`
	Resource     any                       `json:"Resource,omitempty"`
	NotResource  any                       `json:"NotResource,omitempty"`
	Condition    map[string]map[string]any `json:"Condition,omitempty"`
}

type jsonDocument struct {
	Version   string          `json:"Version,omitempty"`
	ID        string          `json:"Id,omitempty"`
	Statement []jsonStatement `json:"Statement"`
}

// MarshalJSON writes the document in IAM's JSON form, compact. Parse reads
// it back to an equal Document (without Name).
func (d *Document) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d.jsonForm()); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// String returns the document in IAM's JSON form, indented by two spaces,
// keys in a fixed order (maps sorted), with a final newline.
func (d *Document) String() string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d.jsonForm()); err != nil {
		// Only strings, slices and maps of strings: encoding cannot fail.
		panic("iampolicy: encode document: " + err.Error())
	}
	return buf.String()
}

func (d *Document) jsonForm() jsonDocument {
	out := jsonDocument{Version: d.Version, ID: d.ID, Statement: []jsonStatement{}}
	for _, s := range d.Statements {
		js := jsonStatement{
			Sid: s.Sid, Effect: s.Effect,
			Principal: principalForm(s.Principal), NotPrincipal: principalForm(s.NotPrincipal),
			Action: listForm(s.Actions), NotAction: listForm(s.NotActions),
			Resource: listForm(s.Resources), NotResource: listForm(s.NotResources),
		}
		if len(s.Conditions) > 0 {
			js.Condition = map[string]map[string]any{}
			for op, keys := range s.Conditions {
				js.Condition[op] = map[string]any{}
				for k, v := range keys {
					js.Condition[op][k] = listForm(v)
				}
			}
		}
		out.Statement = append(out.Statement, js)
	}
	return out
}

// listForm is nil for nil, the string for one value, the slice otherwise.
func listForm(list []string) any {
	switch {
	case list == nil:
		return nil
	case len(list) == 1:
		return list[0]
	}
	return list
}

func principalForm(p map[string][]string) any {
	if p == nil {
		return nil
	}
	if len(p) == 1 && len(p["*"]) == 1 && p["*"][0] == "*" {
		return "*"
	}
	out := make(map[string]any, len(p))
	for typ, values := range p {
		out[typ] = listForm(values)
	}
	return out
}
