package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/iampolicy"
	"github.com/reckon-finops/reckon/internal/synth"
)

// The demo's AWS organisation, as its emulator serves it: the payer and
// its five linked accounts with the names Organizations gives them, the
// connector's role in the payer and the CUR report that synth writes.
const (
	demoPayer     = "012345678901"
	demoRoleARN   = "arn:aws:iam::" + demoPayer + ":role/reckon-connector"
	demoPolicyARN = "arn:aws:iam::" + demoPayer + ":policy/reckon-connector"
	demoReckon    = "111122223333" // the account whose keys Reckon uses
	demoConnector = "demo-aws"
)

// demoAccounts name the demo's accounts, as AWS Organizations lists them.
var demoAccounts = []awsemu.Account{
	{ID: demoPayer, Name: "Trey Management", Email: "aws-management@trey.example"},
	{ID: "045678901234", Name: "Data Platform", Email: "aws-data@trey.example"},
	{ID: "234567890123", Name: "Web Production", Email: "aws-web@trey.example"},
	{ID: "345678901234", Name: "Payments Production", Email: "aws-payments@trey.example"},
	{ID: "567890123456", Name: "Staging", Email: "aws-staging@trey.example"},
	{ID: "678901234567", Name: "Sandbox", Email: "aws-sandbox@trey.example"},
}

// The demo's management groups: production holds two linked accounts and
// one subscription; development, the connector's default group, the rest.
const (
	demoProduction  cost.ScopeID = "mg/production"
	demoDevelopment cost.ScopeID = "mg/development"
)

var (
	demoProductionAccounts = []string{"234567890123", "345678901234"}
	demoReaderAccount      = "234567890123" // ana reads only this one
)

// newExternalID makes the demo role's external ID; tests fix it to look
// for it in what the demo prints.
var newExternalID = iampolicy.NewExternalID

// demoAWS is the emulated customer account the demo collects from.
type demoAWS struct {
	state      *awsemu.State
	externalID string
	creds      aws.CredentialsProvider // Reckon's own keys for the emulator
	ln         net.Listener
	srv        *http.Server
}

// newDemoAWS describes the customer side of the demo's connector: the
// payer's role, which trusts Reckon's account only with a fresh external
// ID, its least-privilege policy, the report definition of the CUR that
// synth writes into bucket, and the organisation's named accounts. The
// keys and the external ID are made for this run and never printed.
func newDemoAWS(bucket string, opts synth.Options) *demoAWS {
	key, secret := "AKIA"+randomUpperHex(8), randomUpperHex(20)
	ext := newExternalID()
	bucketName, name := opts.Bucket, opts.ReportName
	if bucketName == "" {
		bucketName = "reckon-billing" // synth's defaults
	}
	if name == "" {
		name = "reckon-cur"
	}
	accounts := slices.Clone(demoAccounts)
	for i := range accounts {
		accounts[i].State = "ACTIVE"
		accounts[i].Joined = opts.Start.AddDate(-2, 0, 0).Unix()
	}
	st := &awsemu.State{
		Callers:           []awsemu.Caller{{AccessKeyID: key, SecretAccessKey: secret, Account: demoReckon}},
		ManagementAccount: demoPayer,
		Accounts:          accounts,
		Roles: []awsemu.Role{{ARN: demoRoleARN, TrustPolicy: json.RawMessage(iampolicy.TrustPolicy(demoReckon, ext)),
			Policies: []awsemu.Policy{{ARN: demoPolicyARN, Name: "reckon-connector",
				Document: json.RawMessage(iampolicy.Target{Bucket: bucketName, Prefix: opts.Prefix, RoleARN: demoRoleARN,
					PolicyARNs: []string{demoPolicyARN}}.PermissionsPolicy())}}}},
		Reports: []awsemu.ReportDefinition{{ReportName: name, TimeUnit: "HOURLY", Format: "textORcsv", Compression: "GZIP",
			AdditionalSchemaElements: []string{"RESOURCES"}, S3Bucket: bucketName, S3Prefix: opts.Prefix, S3Region: "us-east-1",
			ReportVersioning: "CREATE_NEW_REPORT"}},
		Buckets: []awsemu.Bucket{{Name: bucketName, Dir: bucket}},
	}
	return &demoAWS{state: st, externalID: ext, creds: credentials.NewStaticCredentialsProvider(key, secret, "")}
}

// start serves the emulator on a free port of 127.0.0.1 and returns its URL.
func (d *demoAWS) start(clock cost.Clock) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	d.ln = ln
	d.srv = &http.Server{Handler: awsemu.New(d.state, clock), ReadHeaderTimeout: 10 * time.Second}
	go d.srv.Serve(ln) //nolint:errcheck // ends when close closes the listener
	return "http://" + ln.Addr().String(), nil
}

// close stops the emulator.
func (d *demoAWS) close() {
	if d.srv != nil {
		d.srv.Close()
	}
}

// randomUpperHex is n random bytes in upper-case hex, as AWS keys look.
func randomUpperHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}
