package azsource

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"

	"github.com/reckon-finops/reckon/internal/cost"
)

// denied are the codes Blob Storage answers a caller it will not serve.
var denied = []bloberror.Code{
	bloberror.AuthenticationFailed, bloberror.AuthorizationFailure, bloberror.AuthorizationPermissionMismatch,
	bloberror.AuthorizationProtocolMismatch, bloberror.AuthorizationResourceTypeMismatch, bloberror.AuthorizationServiceMismatch,
	bloberror.AuthorizationSourceIPMismatch, bloberror.InsufficientAccountPermissions, bloberror.InvalidAuthenticationInfo,
}

// fail maps a failed request to the source's error codes, with a message
// that says what to fix and never holds the credentials.
func (b *Blob) fail(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var re *azcore.ResponseError
	status := 0
	if errors.As(err, &re) {
		status = re.StatusCode
	}
	switch {
	case bloberror.HasCode(err, bloberror.ContainerNotFound):
		return cost.Errorf(cost.EExportNotFound, "%s does not exist: check the container's name, and that the export "+
			"delivers to it (its storage account and container)", b.where())
	case bloberror.HasCode(err, denied...) || status == 401 || status == 403:
		code := "HTTP " + fmt.Sprint(status)
		if re != nil && re.ErrorCode != "" {
			code = re.ErrorCode
		}
		return cost.Errorf(cost.EAccessDeniedExport, "Reckon cannot %s in %s (%s): grant Storage Blob Data Reader on the "+
			"container, or give a SAS with read and list permissions that has not expired; with an account key, check "+
			"the account's name and key", what, b.where(), code)
	case bloberror.HasCode(err, bloberror.BlobNotFound) || status == 404:
		return cost.Errorf(cost.EExportIsNotValid, "Reckon cannot %s in %s: it is gone (deleted, or replaced by a newer run, "+
			"while Reckon read); collect again", what, b.where())
	case re != nil:
		return fmt.Errorf("%s in %s: Blob Storage answered HTTP %d %s", what, b.where(), status, re.ErrorCode)
	}
	return fmt.Errorf("%s in %s: %s", what, b.where(), b.redact(err))
}

// sigParam is a SAS signature in a URL.
var sigParam = regexp.MustCompile(`(?i)(sig=)[^&\s"']*`)

// redact returns err's text without the URL's query (which holds a SAS)
// and without the SAS token or account key, wherever they appear.
func (b *Blob) redact(err error) string {
	var ue *url.Error
	msg := err.Error()
	if errors.As(err, &ue) {
		u := ue.URL
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		msg = ue.Op + " " + u + ": " + ue.Err.Error()
	}
	for _, secret := range []string{b.opts.SASToken, b.opts.AccountKey} {
		if secret != "" {
			msg = strings.ReplaceAll(msg, secret, "[redacted]")
		}
	}
	return sigParam.ReplaceAllString(msg, "${1}[redacted]")
}
