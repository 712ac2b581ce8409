package cost

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestASourceIsValidatedByItsKind(t *testing.T) {
	h := NewHierarchy()
	good := Connector{ID: "connectors/trey", Kind: ConnectorAzureExport, DisplayName: "Trey", StorageURL: "https://treyexports.blob.core.windows.net",
		Container: "cost-exports", Prefix: "exports/reckon", CredentialEnv: "RECKON_TREY_SAS", CredentialType: CredentialSAS}
	s3 := func(c *Connector) {
		c.Kind, c.Bucket, c.RoleARN = ConnectorFOCUS, "billing", "arn:aws:iam::012345678901:role/reckon"
		c.StorageURL, c.Container, c.CredentialEnv, c.CredentialType = "", "", "", ""
	}
	for _, c := range []struct {
		name  string
		edit  func(*Connector)
		valid bool
	}{
		{"an Azure export source in Blob Storage is valid", func(*Connector) {}, true},
		{"a FOCUS source on Azurite with an account key is valid", func(c *Connector) {
			c.Kind, c.StorageURL, c.CredentialType = ConnectorFOCUS, "http://127.0.0.1:10000/devstoreaccount1", CredentialKey
		}, true},
		{"a key needs the account's name, from the URL or the field", func(c *Connector) {
			c.StorageURL, c.CredentialType = "http://127.0.0.1:10000/", CredentialKey
		}, false},
		{"an unknown kind is refused", func(c *Connector) { c.Kind = "gcp" }, false},
		{"plain HTTP to a remote host is refused", func(c *Connector) { c.StorageURL = "http://treyexports.blob.core.windows.net" }, false},
		{"a URL with a query is refused", func(c *Connector) { c.StorageURL += "/?sig=abc" }, false},
		{"a container with capitals is refused", func(c *Connector) { c.Container = "Cost" }, false},
		{"a prefix climbing out is refused", func(c *Connector) { c.Prefix = "exports/../other" }, false},
		{"a variable's name with a space is refused", func(c *Connector) { c.CredentialEnv = "RECKON SAS" }, false},
		{"an unknown credential type is refused", func(c *Connector) { c.CredentialType = "token" }, false},
		{"a role ARN on a source is refused", func(c *Connector) { c.RoleARN = "arn:aws:iam::012345678901:role/reckon" }, false},
		{"auto-renew on a source is refused", func(c *Connector) { c.AutoRenew = true }, false},
		{"a FOCUS source in S3 read as a role is valid", s3, true},
		{"an S3 source with Blob Storage fields is refused", func(c *Connector) { s3(c); c.Container = "cost-exports" }, false},
		{"an S3 source needs a role", func(c *Connector) { s3(c); c.RoleARN = "" }, false},
		{"an S3 bucket's name follows S3's rules", func(c *Connector) { s3(c); c.Bucket = "Billing_Data" }, false},
		{"an Azure export source reads no S3 bucket", func(c *Connector) { c.Bucket = "billing" }, false},
		{"an external ID on a Blob Storage source is refused", func(c *Connector) { c.ExternalID = "x" }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn := good
			c.edit(&conn)
			err := conn.Validate(context.Background(), h.Rows())
			if (err == nil) != c.valid || (err != nil && ErrorCode(err) != EInvalid) {
				t.Errorf("Validate = %v, want valid %v", err, c.valid)
			}
		})
	}
}

func TestASourcesIdentityIsItsStorageAndContainer(t *testing.T) {
	src := NewSource(Connector{ID: "connectors/trey", Kind: ConnectorAzureExport, StorageURL: "https://treyexports.blob.core.windows.net/",
		Container: "cost-exports", Prefix: "/exports/", CredentialEnv: "SAS"}, time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC))
	if src.State != StateActive || src.CredentialType != CredentialSAS || src.Prefix != "exports" || src.Account() != "" || src.BillingAccount() != "" ||
		src.TrialDaysLeft(src.Created) != 0 || !src.Collects() {
		t.Fatalf("a new source: %+v", src)
	}
	if src.Advance(src.Created.AddDate(1, 0, 0)) || src.State != StateActive {
		t.Errorf("a year on, the source is %s: a source has no trial to end", src.State)
	}
	prefix, account, kind := src, src, src
	prefix.Prefix = "exports/other"
	account.StorageURL = "https://other.blob.core.windows.net"
	kind.Kind = ConnectorFOCUS
	if err := src.CheckEdit(&prefix); err != nil {
		t.Errorf("a new prefix: %v", err)
	}
	for name, edited := range map[string]Connector{"another account": account, "another kind": kind} {
		if err := src.CheckEdit(&edited); ErrorCode(err) != EInvalid {
			t.Errorf("%s: %v, want Invalid", name, err)
		}
	}
	if err := src.Renew(context.Background(), "azure/subscriptions/6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", NewHierarchy().Rows()); err == nil ||
		!strings.Contains(err.Error(), "no trial and no charge") {
		t.Errorf("renewing a source: %v", err)
	}
	aws := Connector{RoleARN: "arn:aws:iam::012345678901:role/reckon"}
	if aws.KindOf() != ConnectorAWS || aws.IsSource() || aws.Identity() != "012345678901" {
		t.Errorf("a connector without a kind is %s, identity %s: want an AWS connector", aws.KindOf(), aws.Identity())
	}
	if n := (&Connector{StorageURL: "https://treyexports.blob.core.windows.net"}).CredentialName(); n != "treyexports" {
		t.Errorf("the account of the URL: %q", n)
	}
}

func TestASubscriptionMayNameTheSourceThatFoundIt(t *testing.T) {
	w := NewHierarchy().Rows()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	must(AddScope(ctx, w, Scope{ID: "connectors/trey", Name: "Trey"}))
	must(AddScope(ctx, w, Scope{ID: "azure/billingAccounts/8611537", Name: "Trey Research", Connector: "connectors/trey"}))
	must(AddScope(ctx, w, Scope{ID: "azure/subscriptions/1a2b3c4d-0000-4000-8000-00000000000a", Name: "Prod",
		BillingAccount: "azure/billingAccounts/8611537", Connector: "connectors/trey"}))
	if err := AddScope(ctx, w, Scope{ID: "mg/prod", Name: "Prod", Connector: "connectors/trey"}); ErrorCode(err) != EInvalid {
		t.Errorf("a group naming a connector: %v, want Invalid", err)
	}
}
