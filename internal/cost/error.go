package cost

import (
	"errors"
	"fmt"
)

// Error codes shared by every part of Reckon. The HTTP layer maps each to a
// status in one table.
const (
	EInvalid  = "Invalid"  // the caller's input is wrong; the message says how
	ENotFound = "NotFound" // the named thing does not exist
	EConflict = "Conflict" // the request clashes with the current state
	EInternal = "Internal" // a fault of Reckon's; details are logged, not shown

	EUnauthenticated = "Unauthenticated" // no credentials, or ones Reckon does not know
	EForbidden       = "Forbidden"       // a known caller without the role the call needs

	// The codes of work stopped before it finished, as Prometheus' query
	// API names them: past its deadline, cancelled by its caller, or refused
	// while the server cannot do it (shutting down, out of memory).
	ETimeout     = "Timeout"
	ECanceled    = "Canceled"
	EUnavailable = "Unavailable"
)

// Error is a domain error: a stable code and a message for the user.
type Error struct {
	Code    string
	Message string
}

// Error returns the message, which is written for the user.
func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return EInternal
}

// The connector's error codes, as Microsoft's Connector for AWS named them
// (product.md §3). Each error carries a message that says what to fix.
const (
	EFailedToAssumeRole            = "FailedToAssumeRole"
	EAccessDeniedReportDefinitions = "AccessDeniedReportDefinitions"
	EAccessDeniedListReports       = "AccessDeniedListReports"
	EAccessDeniedDownloadReport    = "AccessDeniedDownloadReport"
	EFailedToFindReport            = "FailedToFindReport"
	EReportIsNotValid              = "ReportIsNotValid"
	EUnauthorized                  = "Unauthorized"
)

// The Azure export source's error codes, named as Azure names such
// failures; each message says what to fix.
const (
	// EAccessDeniedExport: Reckon cannot list or read the export's container.
	EAccessDeniedExport = "AccessDeniedExport"
	// EExportNotFound: no such container, or no export under the prefix.
	EExportNotFound = "ExportNotFound"
	// EExportIsNotValid: a manifest or file Reckon cannot read; the message
	// names it and says why.
	EExportIsNotValid = "ExportIsNotValid"
)

// ErrorMessage returns the user-facing message of err: a domain error's
// message, or the error's text.
func ErrorMessage(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return err.Error()
}
