package cost

import (
	"cmp"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// ConnectorKind is what a connector reads. An AWS connector reads a CUR
// through an assumed role; the other kinds are sources: the customer's own
// exports in their storage, read with a credential from the server's
// environment.
type ConnectorKind string

// The connector kinds.
const (
	ConnectorAWS ConnectorKind = "aws" // the default: records without a kind are AWS connectors
	// ConnectorAzureExport reads Azure Cost Management exports from a Blob
	// Storage container.
	ConnectorAzureExport ConnectorKind = "azure-export"
	// ConnectorFOCUS reads FOCUS files from a Blob Storage container, or
	// from an S3 bucket through the role an AWS connector would assume, a
	// folder of them per delivery.
	ConnectorFOCUS ConnectorKind = "focus"
)

// The credential types of a source in Blob Storage.
const (
	CredentialSAS = "sas" // a shared access signature with read and list permissions
	CredentialKey = "key" // the storage account's shared key
)

// ECredentialNotFound: the environment variable a source names for its
// credential is not set where the server runs.
const ECredentialNotFound = "CredentialNotFound"

// KindOf is the connector's kind: AWS when the record names none.
func (c *Connector) KindOf() ConnectorKind { return cmp.Or(c.Kind, ConnectorAWS) }

// IsSource reports whether the connector is a source (Azure exports, FOCUS
// files) rather than an AWS connector: no trial and no charge, and the
// billing accounts it reads are found in its data.
func (c *Connector) IsSource() bool { return c.KindOf() != ConnectorAWS }

// Identity is what a connector reads, which an edit cannot change: the AWS
// account of the role, or a source's storage account URL and container.
func (c *Connector) Identity() string {
	if !c.IsSource() {
		return c.Account()
	}
	if c.Bucket != "" {
		return "s3://" + c.Bucket
	}
	return strings.ToLower(strings.TrimRight(c.StorageURL, "/")) + "/" + c.Container
}

// CredentialName is the storage account's name a shared key signs for: the
// AccountName field, else the account the URL names (<account>.blob.… or
// Azurite's http://127.0.0.1:PORT/<account>).
func (c *Connector) CredentialName() string {
	if c.AccountName != "" {
		return c.AccountName
	}
	u, err := url.Parse(c.StorageURL)
	if err != nil {
		return ""
	}
	if account, _, ok := strings.Cut(u.Hostname(), ".blob."); ok {
		return account
	}
	return strings.Trim(u.Path, "/")
}

var (
	envName       = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)
	containerName = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9]|-[a-z0-9]){2,62}$`)
	blobHost      = regexp.MustCompile(`^[a-z0-9]{3,24}\.blob\.core\.(?:windows\.net|chinacloudapi\.cn|usgovcloudapi\.net)$`)
	loopbackPath  = regexp.MustCompile(`^/[a-z0-9]{3,24}/?$`)
	accountName   = regexp.MustCompile(`^[a-z0-9]{3,24}$`)
)

// validateSource checks a source's own fields: a storage account's blob
// URL (https://<account>.blob.core.windows.net, or Azurite's
// http://127.0.0.1:PORT/<account>), a container, a prefix, the name of the
// environment variable holding the credential and its type; and none of an
// AWS connector's. A FOCUS source may read an S3 bucket instead, as a role
// (validateS3).
func (c *Connector) validateSource() error {
	switch c.Kind {
	case ConnectorAzureExport, ConnectorFOCUS:
	default:
		return Errorf(EInvalid, "kind %s is not valid: use aws, azure-export or focus", Quote(string(c.Kind)))
	}
	if c.AutoRenew || c.BillingSubscription != "" {
		return Errorf(EInvalid, "a %s source has no trial and no charge, so no auto-renew or billing subscription", c.Kind)
	}
	if err := c.checkPrefix(); err != nil {
		return err
	}
	if c.Kind == ConnectorFOCUS && c.Bucket != "" {
		return c.validateS3()
	}
	if c.Bucket != "" {
		return Errorf(EInvalid, "an azure-export source reads Blob Storage, not an S3 bucket: give its storage URL and container")
	}
	if c.RoleARN != "" || c.ReportName != "" || c.ExternalID != "" {
		return Errorf(EInvalid, "a %s source in Blob Storage has no role ARN, external ID or report name: give its storage URL, container, prefix and credential's variable", c.Kind)
	}
	if err := checkStorageURL(c.StorageURL); err != nil {
		return err
	}
	if !containerName.MatchString(c.Container) {
		return Errorf(EInvalid, "container %s is not valid: a Blob Storage container has 3 to 63 lower-case letters, digits and single hyphens, "+
			"starting and ending with a letter or digit", Quote(c.Container))
	}
	if !envName.MatchString(c.CredentialEnv) {
		// Quote nothing of it: a secret pasted here must not come back.
		return Errorf(EInvalid, "the credential's environment variable is not a variable's name: name the variable (up to 128 letters, "+
			"digits and _, not starting with a digit) that holds the SAS token or account key in the server's environment, never the secret itself")
	}
	switch c.CredentialType {
	case CredentialSAS:
	case CredentialKey:
		if c.CredentialName() == "" {
			return Errorf(EInvalid, "an account key needs the storage account's name: give accountName, or a URL that names the account")
		}
	default:
		return Errorf(EInvalid, "the credential type is not valid: use sas (a SAS token with read and list) or key (the account key)")
	}
	if c.AccountName != "" && !accountName.MatchString(c.AccountName) {
		return Errorf(EInvalid, "account name %s is not valid: a storage account's name has 3 to 24 lower-case letters and digits", Quote(c.AccountName))
	}
	return nil
}

// checkPrefix checks the folder a source reads.
func (c *Connector) checkPrefix() error {
	if strings.Contains("/"+c.Prefix+"/", "/../") || strings.HasPrefix(c.Prefix, "/") {
		return Errorf(EInvalid, "prefix %s is not valid: give the exports' folder, such as exports/reckon, without a leading / or ..", Quote(c.Prefix))
	}
	return CheckName("the prefix", c.Prefix)
}

var s3Bucket = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// validateS3 checks a FOCUS source in S3: a bucket, and the role and its
// external ID (checked where it is given) that read it, as an AWS
// connector's; no Blob Storage fields.
func (c *Connector) validateS3() error {
	if c.StorageURL != "" || c.Container != "" || c.CredentialEnv != "" || c.CredentialType != "" || c.AccountName != "" {
		return Errorf(EInvalid, "a FOCUS source reads either an S3 bucket (bucket, role ARN, external ID) or a Blob Storage container "+
			"(storage URL, container, credential), not both")
	}
	if !s3Bucket.MatchString(c.Bucket) || strings.Contains(c.Bucket, "..") {
		return Errorf(EInvalid, "bucket %s is not valid: an S3 bucket's name has 3 to 63 lower-case letters, digits, '.' and '-'", Quote(c.Bucket))
	}
	if _, _, err := ParseRoleARN(c.RoleARN); err != nil {
		return err
	}
	if c.ReportName != "" {
		return Errorf(EInvalid, "a FOCUS source has no report name: give the bucket and the prefix of its files")
	}
	return nil
}

// checkStorageURL accepts a storage account's blob endpoint over HTTPS, or
// a local emulator's (Azurite) over HTTP on the loopback address, with no
// query, fragment or user: a SAS goes in the credential, never in the URL.
func checkStorageURL(s string) error {
	const want = "give the storage account's blob endpoint, https://<account>.blob.core.windows.net, or Azurite's http://127.0.0.1:PORT/<account>"
	u, err := url.Parse(s)
	if err != nil || s == "" {
		return Errorf(EInvalid, "storage URL %s is not valid: %s", Quote(s), want)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.Contains(s, "?") {
		// Quote nothing of it: the query may be a SAS.
		return Errorf(EInvalid, "the storage URL must not carry a query, a fragment or a user (a SAS token goes in the credential's "+
			"environment variable): %s", want)
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case u.Scheme == "https" && blobHost.MatchString(host) && (u.Path == "" || u.Path == "/"):
		return nil
	case u.Scheme == "http" && (host == "127.0.0.1" || host == "localhost" || host == "::1") && u.Port() != "" && loopbackPath.MatchString(u.Path):
		return nil
	}
	return Errorf(EInvalid, "storage URL %s is not valid: %s", Quote(s), want)
}

// checkSourceEdit refuses an edit that changes what a source reads: its
// kind, storage account or container.
func (c *Connector) checkSourceEdit(edited *Connector) error {
	if edited.KindOf() != c.KindOf() {
		return Errorf(EInvalid, "a connector's kind cannot change (%s to %s): create a new one", c.KindOf(), edited.KindOf())
	}
	if edited.Identity() != c.Identity() {
		return Errorf(EInvalid, "a source's storage account and container cannot change (%s): create a new source for %s",
			c.Identity(), Quote(edited.Identity()))
	}
	return nil
}

// NewSource returns a source as created: active at once (there is no trial
// to run out), its credential type sas unless given.
func NewSource(c Connector, now time.Time) Connector {
	if c.Bucket == "" {
		c.CredentialType = cmp.Or(c.CredentialType, CredentialSAS)
	}
	c.StorageURL = strings.TrimRight(c.StorageURL, "/")
	c.Prefix = strings.Trim(c.Prefix, "/")
	c.Created, c.State = now, StateActive
	return c
}
