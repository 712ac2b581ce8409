package awsapi

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
)

// Account is an account of the customer's organisation.
type Account struct {
	ID     string
	Name   string
	Email  string
	State  string // ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED…
	Joined time.Time
}

// ErrNoOrganizationAccess means the role may not list the organisation's
// accounts: discovery goes on, with account ids as names.
var ErrNoOrganizationAccess = errors.New("the role may not call organizations:ListAccounts: linked accounts are named by their ids")

// Accounts lists the organisation's accounts, following every page. When
// access is denied it returns ErrNoOrganizationAccess (wrapped), which
// callers record as a warning.
func (c *Client) Accounts(ctx context.Context) ([]Account, error) {
	var out []Account
	pages := organizations.NewListAccountsPaginator(c.orgs, &organizations.ListAccountsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			if isAccessDenied(err) {
				return nil, errors.Join(ErrNoOrganizationAccess, err)
			}
			return nil, err
		}
		for _, a := range page.Accounts {
			state := string(a.State)
			if state == "" {
				state = string(a.Status) // older answers carry only the deprecated Status
			}
			out = append(out, Account{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name), Email: aws.ToString(a.Email),
				State: state, Joined: aws.ToTime(a.JoinedTimestamp).UTC()})
		}
	}
	return out, nil
}
