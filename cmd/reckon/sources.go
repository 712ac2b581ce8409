package main

import (
	"context"
	"os"

	"github.com/reckon-finops/reckon/internal/azsource"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/cursource"
	"github.com/reckon-finops/reckon/internal/focussource"
	"github.com/reckon-finops/reckon/internal/ingest"
)

// collector is `reckon serve`'s side of every connector (a jobs.Collector
// and an api.Verifier): it dispatches on the connector's kind, to AWS for
// an AWS connector, and to Blob Storage for a source of Azure exports or
// FOCUS files, whose credential it reads from the server's environment at
// each collection.
type collector struct {
	aws    *awsCollector
	getenv func(string) string // os.Getenv
}

// Accounts names the accounts of an AWS connector's organization; a
// source's are named by its rows.
func (c *collector) Accounts(ctx context.Context, conn cost.Connector) (map[string]cost.Account, []string, error) {
	if conn.IsSource() {
		return nil, nil, nil
	}
	return c.aws.Accounts(ctx, conn)
}

// Load loads the connector's changed deliveries, registering what each
// load finds.
func (c *collector) Load(ctx context.Context, conn cost.Connector, register cost.RegisterFunc) ([]string, int64, error) {
	if !conn.IsSource() {
		return c.aws.Load(ctx, conn, register)
	}
	remote, err := c.remote(ctx, conn)
	if err != nil {
		return nil, 0, err
	}
	return c.aws.collect(ctx, remote, register)
}

// Verify checks an AWS connector's role, report and bucket, or a source's
// credential, storage and exports.
func (c *collector) Verify(ctx context.Context, conn cost.Connector) ([]cost.Check, error) {
	if !conn.IsSource() {
		return c.aws.Verify(ctx, conn)
	}
	if conn.Bucket != "" {
		remote, err := c.remote(ctx, conn)
		if err != nil {
			return nil, err
		}
		return ingest.VerifyRemote(ctx, remote, c.aws.tempDir), nil
	}
	const credential = "credential"
	remote, err := c.remote(ctx, conn)
	if err != nil {
		code := cost.ErrorCode(err)
		if code == cost.EInternal {
			code = ""
		}
		return []cost.Check{{Name: credential, Status: "error", Code: code, Message: cost.ErrorMessage(err)}}, nil
	}
	checks := []cost.Check{{Name: credential, Status: "ok", Message: "the environment variable " + conn.CredentialEnv + " is set"}}
	return append(checks, ingest.VerifyRemote(ctx, remote, c.aws.tempDir)...), nil
}

// remote is a source's storage as an ingest.Remote: an S3 bucket read as
// the source's role, or a Blob Storage container with its credential read
// from the environment variable it names. The credential goes to the SDK
// and nowhere else: no error or message holds it.
func (c *collector) remote(ctx context.Context, conn cost.Connector) (ingest.Remote, error) {
	if conn.Bucket != "" {
		client, err := c.aws.client(ctx, conn)
		if err != nil {
			return nil, err
		}
		return focussource.NewRemote(cursource.Files(client, conn.Bucket, conn.Prefix), "s3/"+conn.Bucket), nil
	}
	secret := c.getenv(conn.CredentialEnv)
	if secret == "" {
		what := "SAS token"
		if conn.CredentialType == cost.CredentialKey {
			what = "account key"
		}
		return nil, cost.Errorf(cost.ECredentialNotFound, "the environment variable %s, which %s names for its %s, is not set where "+
			"reckon serve runs: set it in the server's environment and restart the server, or point the source at another "+
			"variable (reckon connector edit %s --credential-env NAME)", conn.CredentialEnv, conn.ID, what, conn.ID.Key())
	}
	opts := azsource.RemoteOptions{AccountURL: conn.StorageURL, Container: conn.Container, Prefix: conn.Prefix}
	if conn.CredentialType == cost.CredentialKey {
		opts.AccountName, opts.AccountKey = conn.CredentialName(), secret
	} else {
		opts.SASToken = secret
	}
	blob, err := azsource.NewRemote(opts)
	if err != nil {
		return nil, err
	}
	if conn.KindOf() == cost.ConnectorFOCUS {
		return focussource.NewRemote(blob, conn.CredentialName()+"/"+conn.Container), nil
	}
	return blob, nil
}

// newCollector is the collector of `reckon serve`.
func newCollector(aws *awsCollector) *collector {
	return &collector{aws: aws, getenv: os.Getenv}
}
