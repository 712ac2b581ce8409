package cost

import (
	"reflect"
	"strings"
	"testing"
)

func col(name string) Dimension { return Dimension{Column: name} }

func TestParseFilter(t *testing.T) {
	svc, env := col("ServiceName"), Dimension{Tag: "env"}
	for _, tt := range []struct {
		in   string
		want *Expr
	}{
		{"", nil},
		{"   ", nil},
		{"ServiceName = EC2", In(svc, "EC2")},
		{"servicename IN (EC2, \"Amazon S3\")", In(svc, "EC2", "Amazon S3")},
		{"ServiceName in (EC2, S3) and not tag:env=dev", And(In(svc, "EC2", "S3"), Not(In(env, "dev")))},
		// and binds tighter than or
		{"RegionId = a or RegionId = b and tag:env = c", &Expr{Op: OpOr, Args: []*Expr{
			In(col("RegionId"), "a"), And(In(col("RegionId"), "b"), In(env, "c"))}}},
		{"(RegionId = a or RegionId = b) and tag:env exists", And(
			&Expr{Op: OpOr, Args: []*Expr{In(col("RegionId"), "a"), In(col("RegionId"), "b")}},
			&Expr{Op: OpExists, Dimension: env})},
		{"tag:env not exists", &Expr{Op: OpNotExists, Dimension: env}},
		{"ServiceName not in (EC2)", &Expr{Op: OpNotIn, Dimension: svc, Values: []string{"EC2"}}},
		{"ServiceName != EC2", &Expr{Op: OpNotIn, Dimension: svc, Values: []string{"EC2"}}},
		{"ResourceId contains (i-, vol-)", &Expr{Op: OpContains, Dimension: col("ResourceId"), Values: []string{"i-", "vol-"}}},
		{`tag:"cost center" = "R&D \"x\""`, In(Dimension{Tag: "cost center"}, `R&D "x"`)},
		{`SubAccountId = ""`, In(col("SubAccountId"), "")},
		{"NOT NOT RegionId = a", Not(Not(In(col("RegionId"), "a")))},
		{`RegionId = "and"`, In(col("RegionId"), "and")},
	} {
		got, err := ParseFilter(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q = %s, want %s", tt.in, got, tt.want)
		}
		back, err := ParseFilter(got.String())
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Errorf("%q written as %q reads back as %s (%v)", tt.in, got.String(), back, err)
		}
	}
}

func TestParseFilterSaysWhatIsWrongAndWhere(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Nope = 1", `unknown dimension "Nope": use one of ProviderName`},
		{"ServiceName", "at character 12: expected =, !=, in, not in, contains, exists or not exists after ServiceName"},
		{"ServiceName in EC2", "at character 16: expected ( and a list of values"},
		{"ServiceName in (EC2", "expected , or ), found the end"},
		{"(ServiceName = a", "expected ), found the end"},
		{"ServiceName = a b", "at character 17: expected and, or or the end, found b"},
		{"ServiceName = a and", "expected a dimension"},
		{`ServiceName = "a`, "the string is not closed"},
		{`ServiceName = "a\n"`, `only \" and \\ may follow a backslash`},
		{"ServiceName exists", "exists applies to tags (tag:KEY), not to the column ServiceName"},
		{"ServiceName ! a", "! must be followed by ="},
		{"tag: = a", "tag dimension \"tag:\" has no key"},
		{strings.Repeat("(", 40) + "RegionId = a" + strings.Repeat(")", 40), "nests more than 16 deep"},
		{strings.Repeat("RegionId = a or ", 250) + "RegionId = a", "more than 200 conditions"},
		{"RegionId = \xff", "not valid UTF-8"},
	} {
		_, err := ParseFilter(tt.in)
		if ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%.60q: %v, want Invalid with %q", tt.in, err, tt.want)
		}
	}
}

// FuzzParseFilter: any text either parses to a valid expression that
// writes back to the same expression, or is an Invalid error; never a
// panic.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"ServiceName in (EC2, S3) and not tag:env = dev",
		`tag:"a b" contains ("x\"", y) or (RegionId != "" and tag:k not exists)`,
		"not (not (RegionId = a))", "((", `"`, "tag:\"", "a = b", "ServiceName in ()",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseFilter(s)
		if err != nil {
			if ErrorCode(err) != EInvalid {
				t.Fatalf("%q: error %v is not Invalid", s, err)
			}
			return
		}
		if e == nil {
			return
		}
		if err := e.Validate(); err != nil {
			t.Fatalf("%q parsed to an invalid expression: %v", s, err)
		}
		back, err := ParseFilter(e.String())
		if err != nil || !reflect.DeepEqual(back, e) {
			t.Fatalf("%q parsed to %q, which reads back as %v (%v)", s, e.String(), back, err)
		}
	})
}
