package awsemu

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/reckon-finops/reckon/internal/cost"
	"github.com/reckon-finops/reckon/internal/decimal"
)

// Server serves a State over HTTP. It is safe for concurrent use.
type Server struct {
	state *State
	clock cost.Clock

	mu       sync.Mutex
	sessions map[string]*session        // by access key id
	faults   map[string]*Fault          // by operation name
	skew     map[string]decimal.Decimal // Cost Explorer's injected discrepancy, by account
}

// session is a set of temporary credentials AssumeRole issued.
type session struct {
	secret, token string
	role          *Role
	name          string
	expires       time.Time
}

// New returns a server for the state; clock tells it the time (credential
// expiry), nil meaning the system clock.
func New(state *State, clock cost.Clock) *Server {
	if clock == nil {
		clock = cost.SystemClock{}
	}
	return &Server{state: state, clock: clock, sessions: map[string]*session{}, faults: map[string]*Fault{}}
}

// call is one request, routed: the operation it names and who makes it.
type call struct {
	w         http.ResponseWriter
	r         *http.Request
	operation string
	service   string
	accessKey string
	session   *session // nil for a long-lived caller key
	protocol  protocol
	truncate  bool   // an injected fault: cut S3 bodies short
	body      []byte // the request's payload, for the signature
}

type protocol int

const (
	protoJSON  protocol = iota // JSON 1.1 with X-Amz-Target
	protoQuery                 // form-encoded Action, XML answers
	protoREST                  // S3
)

// ServeHTTP routes a request to its service and operation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{w: w, r: r}
	// The signature covers the body: read it once, then give it back.
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	c.body = body
	r.Body = io.NopCloser(bytes.NewReader(body))
	switch target := r.Header.Get("X-Amz-Target"); {
	case target != "":
		c.protocol = protoJSON
		c.service, c.operation, _ = strings.Cut(target, ".")
	case r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		c.protocol = protoQuery
		if err := r.ParseForm(); err != nil {
			s.fail(c, 400, "MalformedQueryString", err.Error())
			return
		}
		c.operation = r.PostForm.Get("Action")
		c.service = queryService(r.PostForm.Get("Version"))
	default:
		c.protocol = protoREST
		c.service = "s3"
	}
	if !s.authenticate(c) {
		return
	}
	if s.injectFault(c) {
		return
	}
	s.dispatch(c)
}

// queryService names the query-protocol service by its API version.
func queryService(version string) string {
	switch version {
	case "2011-06-15":
		return "sts"
	case "2010-05-08":
		return "iam"
	}
	return "unknown"
}

func (s *Server) dispatch(c *call) {
	type handler func(*call)
	routes := map[string]handler{
		"sts.AssumeRole":                         s.assumeRole,
		"sts.GetCallerIdentity":                  s.getCallerIdentity,
		"iam.ListRoles":                          s.listRoles,
		"iam.ListAttachedRolePolicies":           s.listAttachedRolePolicies,
		"iam.ListPolicyVersions":                 s.listPolicyVersions,
		"iam.GetPolicyVersion":                   s.getPolicyVersion,
		"AWSOrganizationsV20161128.ListAccounts": s.listAccounts,
		"AWSOrigamiServiceGatewayService.DescribeReportDefinitions": s.describeReportDefinitions,
		"AWSInsightsIndexService.GetCostAndUsage":                   s.getCostAndUsage,
	}
	key := c.service + "." + c.operation
	if c.protocol == protoJSON {
		key = c.r.Header.Get("X-Amz-Target")
	}
	if c.protocol == protoREST {
		s.serveS3(c)
		return
	}
	h, ok := routes[key]
	if !ok {
		s.fail(c, 400, "InvalidAction", fmt.Sprintf("the emulator does not serve %s", key))
		return
	}
	h(c)
}

// authenticate checks the access key of the SigV4 Authorization header:
// STS takes Reckon's long-lived keys, every other service only the
// temporary credentials AssumeRole issued, unexpired, with their token.
func (s *Server) authenticate(c *call) bool {
	sig, ok := parseSigV4(c.r.Header.Get("Authorization"))
	if !ok {
		s.fail(c, 403, "MissingAuthenticationToken", "the request is not signed with SigV4")
		return false
	}
	c.accessKey = sig.accessKey
	if caller := s.caller(c.accessKey); c.service == "sts" && caller != nil {
		if !sig.verify(c.r, c.body, caller.SecretAccessKey) {
			s.fail(c, 403, "SignatureDoesNotMatch", "the request signature does not match the secret key")
			return false
		}
		return true
	}
	s.mu.Lock()
	sess := s.sessions[c.accessKey]
	s.mu.Unlock()
	switch {
	case sess == nil && s.caller(c.accessKey) != nil:
		s.fail(c, 403, "AccessDenied", "Reckon's own credentials reach only STS: assume the customer's role first")
		return false
	case sess == nil:
		s.fail(c, 403, "InvalidClientTokenId", "the security token included in the request is invalid")
		return false
	case c.r.Header.Get("X-Amz-Security-Token") != sess.token:
		s.fail(c, 403, "InvalidClientTokenId", "the session token does not belong to the access key")
		return false
	case !s.clock.Now().Before(sess.expires):
		s.fail(c, 403, "ExpiredToken", "the security token included in the request is expired")
		return false
	case !sig.verify(c.r, c.body, sess.secret):
		s.fail(c, 403, "SignatureDoesNotMatch", "the request signature does not match the secret key")
		return false
	}
	c.session = sess
	return true
}

func (s *Server) caller(accessKey string) *Caller {
	for i := range s.state.Callers {
		if s.state.Callers[i].AccessKeyID == accessKey {
			return &s.state.Callers[i]
		}
	}
	return nil
}

// fail writes an error in the protocol's own shape.
func (s *Server) fail(c *call, status int, code, message string) {
	switch c.protocol {
	case protoJSON:
		c.w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		c.w.WriteHeader(status)
		json.NewEncoder(c.w).Encode(map[string]string{"__type": code, "Message": message})
	case protoQuery:
		c.w.Header().Set("Content-Type", "text/xml")
		c.w.WriteHeader(status)
		kind := "Sender"
		if status >= 500 {
			kind = "Receiver"
		}
		fmt.Fprintf(c.w, "<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>",
			kind, code, xmlEscape(message), requestID())
	default:
		c.w.Header().Set("Content-Type", "application/xml")
		c.w.WriteHeader(status)
		if c.r.Method != http.MethodHead {
			fmt.Fprintf(c.w, "<Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId></Error>", code, xmlEscape(message), requestID())
		}
	}
}

// writeXML answers a query-protocol call.
func writeXML(c *call, v any) {
	c.w.Header().Set("Content-Type", "text/xml")
	c.w.Write([]byte(xml.Header))
	xml.NewEncoder(c.w).Encode(v)
}

// writeJSON answers a JSON 1.1 call.
func writeJSON(c *call, v any) {
	c.w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(c.w).Encode(v)
}

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func requestID() string { return randomHex(16) }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
