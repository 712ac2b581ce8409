package awsemu

import (
	"net/http"

	"github.com/reckon-finops/reckon/internal/iampolicy"
)

// authorize checks the session's role's policies for the action on the
// resource, and answers AccessDenied in the service's shape when they do
// not allow it.
func (s *Server) authorize(c *call, action, resource string) bool {
	var docs []*iampolicy.Document
	for _, p := range c.session.role.Policies {
		d, err := iampolicy.Parse(docText(p.Document))
		if err != nil {
			s.fail(c, http.StatusInternalServerError, "InternalError", "policy "+p.ARN+" in the state file: "+err.Error())
			return false
		}
		docs = append(docs, d)
	}
	if iampolicy.Allowed(docs, action, resource) {
		return true
	}
	code := "AccessDenied"
	if c.protocol == protoJSON {
		code = "AccessDeniedException"
	}
	s.fail(c, http.StatusForbidden, code, "User: "+assumedRoleARN(c.session.role.ARN, c.session.name)+
		" is not authorized to perform: "+action+" on resource: "+resource)
	return false
}
