package iampolicy

import "testing"

func TestAllowed(t *testing.T) {
	const (
		bucket  = "arn:aws:s3:::reckon-cur"
		object  = "arn:aws:s3:::reckon-cur/cur/report/20231101-20231201/report-Manifest.json"
		allowed = true
		denied  = false
	)
	allow := func(action, resource string) string {
		return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}}`
	}
	for _, tc := range []struct {
		name     string
		docs     []string
		action   string
		resource string
		want     bool
	}{
		{"no policy denies implicitly", nil, "s3:GetObject", object, denied},
		{"an exact action and resource allow", []string{allow("s3:GetObject", object)}, "s3:GetObject", object, allowed},
		{"a service wildcard allows every action of the service", []string{allow("ce:*", "*")}, "ce:GetCostAndUsage", "*", allowed},
		{"a service wildcard allows no other service", []string{allow("ce:*", "*")}, "cur:DescribeReportDefinitions", "*", denied},
		{"a prefix wildcard allows the actions it starts", []string{allow("s3:Get*", object)}, "s3:GetObject", object, allowed},
		{"a prefix wildcard does not allow other actions", []string{allow("s3:Get*", bucket)}, "s3:ListBucket", bucket, denied},
		{"a lone star allows everything", []string{allow("*", "*")}, "iam:CreateUser", "arn:aws:iam::123456789012:user/x", allowed},
		{"a question mark matches exactly one character", []string{allow("s3:GetObjec?", object)}, "s3:GetObject", object, allowed},
		{"a question mark does not match nothing", []string{allow("s3:GetObject?", object)}, "s3:GetObject", object, denied},
		{"actions match whatever their case", []string{allow("S3:getobject", object)}, "s3:GetObject", object, allowed},
		{"a wildcard action matches whatever its case", []string{allow("IAM:list*", "*")}, "iam:ListRoles", "*", allowed},
		{"resources match only in their own case", []string{allow("s3:GetObject", "arn:aws:s3:::Reckon-Cur/*")}, "s3:GetObject", object, denied},
		{"a resource star crosses slashes", []string{allow("s3:GetObject", "arn:aws:s3:::reckon-cur/*")}, "s3:GetObject", object, allowed},
		{"a resource star crosses colons", []string{allow("s3:GetObject", "arn:*")}, "s3:GetObject", object, allowed},
		{"a bucket ARN does not match its objects", []string{allow("s3:GetObject", bucket)}, "s3:GetObject", object, denied},
		{"an object pattern does not match its bucket", []string{allow("s3:ListBucket", bucket+"/*")}, "s3:ListBucket", bucket, denied},
		{"a resource question mark matches one character",
			[]string{allow("s3:ListBucket", "arn:aws:s3:::reckon-cu?")}, "s3:ListBucket", bucket, allowed},
		{"an explicit deny wins over an allow in the same policy",
			[]string{`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"` + object + `"}]}`},
			"s3:GetObject", object, denied},
		{"an explicit deny wins over an allow in another policy",
			[]string{allow("*", "*"), `{"Statement":{"Effect":"Deny","Action":"s3:Get*","Resource":"arn:aws:s3:::reckon-cur/*"}}`},
			"s3:GetObject", object, denied},
		{"a deny of another action leaves the allow alone",
			[]string{allow("*", "*"), `{"Statement":{"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}}`},
			"s3:GetObject", object, allowed},
		{"an allow in any of the policies is enough",
			[]string{allow("ce:GetCostAndUsage", "*"), allow("s3:GetObject", object)}, "s3:GetObject", object, allowed},
		{"NotAction allows every action it does not list",
			[]string{`{"Statement":{"Effect":"Allow","NotAction":["iam:*"],"Resource":"*"}}`}, "s3:GetObject", object, allowed},
		{"NotAction does not allow the actions it lists",
			[]string{`{"Statement":{"Effect":"Allow","NotAction":["IAM:*"],"Resource":"*"}}`}, "iam:ListRoles", "*", denied},
		{"a deny with NotAction denies every other action",
			[]string{allow("*", "*"), `{"Statement":{"Effect":"Deny","NotAction":["s3:List*"],"Resource":"*"}}`}, "s3:GetObject", object, denied},
		{"NotResource allows every resource it does not list",
			[]string{`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::secret/*"}}`}, "s3:GetObject", object, allowed},
		{"NotResource does not allow the resources it lists",
			[]string{`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::reckon-cur/*"}}`}, "s3:GetObject", object, denied},
		{"a statement without a resource matches nothing",
			[]string{`{"Statement":{"Effect":"Allow","Principal":"*","Action":"*"}}`}, "s3:GetObject", object, denied},
		{"conditions are not evaluated",
			[]string{`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}}`},
			"s3:GetObject", object, allowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var docs []*Document
			for _, d := range tc.docs {
				docs = append(docs, mustParse(t, d))
			}
			if got := Allowed(docs, tc.action, tc.resource); got != tc.want {
				t.Errorf("Allowed(%s on %s) = %v, want %v", tc.action, tc.resource, got, tc.want)
			}
		})
	}
	t.Run("nil documents are skipped", func(t *testing.T) {
		if Allowed([]*Document{nil, mustParse(t, allow("*", "*"))}, "s3:GetObject", object) != allowed {
			t.Error("a nil document stopped the evaluation")
		}
	})
}

func TestPatternRelations(t *testing.T) {
	for _, tc := range []struct {
		name       string
		a, b       string
		covers     bool // a covers b
		intersects bool
	}{
		{"a pattern covers itself", "arn:aws:s3:::b/p/*", "arn:aws:s3:::b/p/*", true, true},
		{"a bucket-wide pattern covers a prefix", "arn:aws:s3:::b/*", "arn:aws:s3:::b/p/*", true, true},
		{"a prefix does not cover the bucket", "arn:aws:s3:::b/p/*", "arn:aws:s3:::b/*", false, true},
		{"a star covers every ARN", "*", "arn:aws:s3:::b", true, true},
		{"a pattern without a star does not cover a star", "arn:aws:s3:::b/p/x", "arn:aws:s3:::b/p/*", false, true},
		{"a trailing question mark does not cover an empty rest", "arn:aws:s3:::b/p/?*", "arn:aws:s3:::b/p/*", false, true},
		{"a star without its slash covers the prefix with it", "arn:aws:s3:::b/p*", "arn:aws:s3:::b/p/*", true, true},
		{"sibling prefixes neither cover nor meet", "arn:aws:s3:::b/p/*", "arn:aws:s3:::b/q/*", false, false},
		{"a star in the middle meets a prefix", "arn:aws:s3:::*/p/*", "arn:aws:s3:::b/*", false, true},
		{"a question mark covers a letter", "arn:aws:s3:::b?", "arn:aws:s3:::bx", true, true},
		{"a letter does not cover a question mark", "arn:aws:s3:::bx", "arn:aws:s3:::b?", false, true},
		{"different buckets do not meet", "arn:aws:s3:::a", "arn:aws:s3:::b", false, false},
		{"two stars on both sides meet", "*x*", "*y*", false, true},
		{"an empty pattern meets only an empty one", "", "*", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := covers(tc.a, tc.b); got != tc.covers {
				t.Errorf("covers(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.covers)
			}
			if got := intersects(tc.a, tc.b); got != tc.intersects {
				t.Errorf("intersects(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.intersects)
			}
			if got := intersects(tc.b, tc.a); got != tc.intersects {
				t.Errorf("intersects(%q, %q) = %v, want %v", tc.b, tc.a, got, tc.intersects)
			}
		})
	}
}
