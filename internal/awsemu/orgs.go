package awsemu

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// listAccounts is Organizations ListAccounts, two accounts a page so that
// callers must follow NextToken.
func (s *Server) listAccounts(c *call) {
	if !s.authorize(c, "organizations:ListAccounts", "*") {
		return
	}
	var in struct {
		NextToken  string `json:"NextToken"`
		MaxResults int    `json:"MaxResults"`
	}
	if err := json.NewDecoder(c.r.Body).Decode(&in); err != nil {
		s.fail(c, http.StatusBadRequest, "InvalidInputException", "the request body is not JSON: "+err.Error())
		return
	}
	page := 2
	if in.MaxResults > 0 && in.MaxResults < page {
		page = in.MaxResults
	}
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil || n < 0 || n > len(s.state.Accounts) {
			s.fail(c, http.StatusBadRequest, "InvalidInputException", "NextToken is not one the emulator gave")
			return
		}
		start = n
	}
	type account struct {
		Arn             string `json:"Arn"`
		Email           string `json:"Email"`
		ID              string `json:"Id"`
		JoinedMethod    string `json:"JoinedMethod"`
		JoinedTimestamp int64  `json:"JoinedTimestamp"`
		Name            string `json:"Name"`
		State           string `json:"State"`
		Status          string `json:"Status"`
	}
	out := struct {
		Accounts  []account `json:"Accounts"`
		NextToken string    `json:"NextToken,omitempty"`
	}{Accounts: []account{}}
	end := min(start+page, len(s.state.Accounts))
	for _, a := range s.state.Accounts[start:end] {
		state := a.State
		if state == "" {
			state = "ACTIVE"
		}
		status := state // the deprecated field knows fewer values
		if status != "ACTIVE" && status != "SUSPENDED" {
			status = "PENDING_CLOSURE"
		}
		out.Accounts = append(out.Accounts, account{
			Arn: "arn:aws:organizations::" + s.state.ManagementAccount + ":account/o-reckon/" + a.ID, Email: a.Email, ID: a.ID,
			JoinedMethod: "INVITED", JoinedTimestamp: a.Joined, Name: a.Name, State: state, Status: status,
		})
	}
	if end < len(s.state.Accounts) {
		out.NextToken = strconv.Itoa(end)
	}
	writeJSON(c, out)
}

// describeReportDefinitions is the CUR service's DescribeReportDefinitions.
func (s *Server) describeReportDefinitions(c *call) {
	if !s.authorize(c, "cur:DescribeReportDefinitions", "*") {
		return
	}
	defs := s.state.Reports
	if defs == nil {
		defs = []ReportDefinition{}
	}
	writeJSON(c, map[string]any{"ReportDefinitions": defs})
}
