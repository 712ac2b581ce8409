package awsapi

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/reckon-finops/reckon/internal/awsemu"
)

func client(t *testing.T, st *awsemu.State) (*Client, *awsemu.Server) {
	t.Helper()
	srv := awsemu.New(st, nil)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	base := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIARECKON", "secret", ""),
		Retryer: func() aws.Retryer { return retry.AddWithMaxBackoffDelay(retry.NewStandard(), 5*time.Millisecond) }}
	c, err := New(base, Options{Connector: "acme", RoleARN: role, ExternalID: extID, ReportName: "reckon", BaseEndpoint: hs.URL})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func TestAccountsFollowEveryPage(t *testing.T) {
	st := customer(t)
	st.Accounts = []awsemu.Account{{ID: payer, Name: "Management"}, {ID: "045678901234", Name: "Data"},
		{ID: "234567890123", Name: "Web", State: "SUSPENDED"}, {ID: "345678901234", Name: "Old", State: "CLOSED", Joined: 1704067200}}
	c, _ := client(t, st)
	accounts, err := c.Accounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range accounts {
		got = append(got, a.ID+" "+a.Name+" "+a.State)
	}
	want := payer + " Management ACTIVE,045678901234 Data ACTIVE,234567890123 Web SUSPENDED,345678901234 Old CLOSED"
	if strings.Join(got, ",") != want {
		t.Errorf("accounts = %s", strings.Join(got, ","))
	}
	if !accounts[3].Joined.Equal(time.Unix(1704067200, 0)) {
		t.Errorf("joined = %s", accounts[3].Joined)
	}
}

func TestAccountsWithoutAccessIsAWarning(t *testing.T) {
	c, srv := client(t, customer(t))
	srv.SetFault("ListAccounts", awsemu.Fault{Kind: awsemu.FaultAccessDenied})
	if _, err := c.Accounts(context.Background()); !errors.Is(err, ErrNoOrganizationAccess) {
		t.Fatalf("error = %v, want ErrNoOrganizationAccess", err)
	}
}
