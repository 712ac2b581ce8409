package awsemu

import (
	"encoding/xml"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/reckon-finops/reckon/internal/iampolicy"
)

var sessionName = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// assumeRole is STS AssumeRole: the role must exist, its trust policy must
// let the caller's account in with the request's external ID, and then it
// issues temporary credentials for the role.
func (s *Server) assumeRole(c *call) {
	caller := s.caller(c.accessKey)
	if caller == nil {
		s.fail(c, http.StatusForbidden, "AccessDenied", "only Reckon's own credentials may assume the role")
		return
	}
	form := c.r.PostForm
	arn, name := form.Get("RoleArn"), form.Get("RoleSessionName")
	if !sessionName.MatchString(name) {
		s.fail(c, http.StatusBadRequest, "ValidationError", "RoleSessionName must be 2-64 of [\\w+=,.@-]")
		return
	}
	duration := 3600
	if d := form.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 900 || n > 43200 {
			s.fail(c, http.StatusBadRequest, "ValidationError", "DurationSeconds must be 900-43200")
			return
		}
		duration = n
	}
	role := s.role(arn)
	denied := "User: arn:aws:iam::" + caller.Account + ":user/reckon is not authorized to perform: sts:AssumeRole on resource: " + arn
	if role == nil {
		s.fail(c, http.StatusForbidden, "AccessDenied", denied)
		return
	}
	trust, err := iampolicy.Parse(docText(role.TrustPolicy))
	if err != nil || len(iampolicy.TrustProblems(trust, caller.Account, form.Get("ExternalId"))) > 0 {
		// AWS says no more than this: the reason is for the role's owner.
		s.fail(c, http.StatusForbidden, "AccessDenied", denied)
		return
	}
	sess := &session{
		secret:  randomHex(20),
		token:   "FQoG" + randomHex(48),
		role:    role,
		name:    name,
		expires: s.clock.Now().Add(time.Duration(duration) * time.Second).UTC(),
	}
	key := "ASIA" + strings.ToUpper(randomHex(8))
	s.mu.Lock()
	s.sessions[key] = sess
	s.mu.Unlock()
	type creds struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		Expiration      string `xml:"Expiration"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
	}
	type result struct {
		XMLName         xml.Name `xml:"AssumeRoleResponse"`
		AssumedRoleUser struct {
			Arn           string `xml:"Arn"`
			AssumedRoleID string `xml:"AssumedRoleId"`
		} `xml:"AssumeRoleResult>AssumedRoleUser"`
		Credentials creds  `xml:"AssumeRoleResult>Credentials"`
		RequestID   string `xml:"ResponseMetadata>RequestId"`
	}
	var out result
	out.AssumedRoleUser.Arn = assumedRoleARN(role.ARN, name)
	out.AssumedRoleUser.AssumedRoleID = "AROA" + strings.ToUpper(randomHex(8)) + ":" + name
	out.Credentials = creds{key, sess.expires.Format(time.RFC3339), sess.secret, sess.token}
	out.RequestID = requestID()
	writeXML(c, out)
}

// getCallerIdentity is STS GetCallerIdentity, for either kind of key.
func (s *Server) getCallerIdentity(c *call) {
	type result struct {
		XMLName xml.Name `xml:"GetCallerIdentityResponse"`
		Account string   `xml:"GetCallerIdentityResult>Account"`
		Arn     string   `xml:"GetCallerIdentityResult>Arn"`
		UserID  string   `xml:"GetCallerIdentityResult>UserId"`
	}
	out := result{UserID: c.accessKey}
	if caller := s.caller(c.accessKey); caller != nil {
		out.Account, out.Arn = caller.Account, "arn:aws:iam::"+caller.Account+":user/reckon"
	} else {
		s.mu.Lock()
		sess := s.sessions[c.accessKey]
		s.mu.Unlock()
		if sess == nil {
			s.fail(c, http.StatusForbidden, "InvalidClientTokenId", "the security token included in the request is invalid")
			return
		}
		out.Account, out.Arn = accountOf(sess.role.ARN), assumedRoleARN(sess.role.ARN, sess.name)
	}
	writeXML(c, out)
}

// assumedRoleARN is the ARN of an assumed-role session.
func assumedRoleARN(roleARN, session string) string {
	name := roleARN[strings.LastIndex(roleARN, "/")+1:]
	return "arn:aws:sts::" + accountOf(roleARN) + ":assumed-role/" + name + "/" + session
}

// accountOf returns the account id in an ARN.
func accountOf(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}

func (s *Server) role(arn string) *Role {
	for i := range s.state.Roles {
		if s.state.Roles[i].ARN == arn {
			return &s.state.Roles[i]
		}
	}
	return nil
}
