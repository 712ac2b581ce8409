// Package awsemu is an AWS emulator over HTTP, for tests and the demo: STS,
// IAM, Organizations, the CUR report definitions, Cost Explorer and S3, as
// the official SDK calls them, with switchable faults. It plays the customer's
// side of Reckon's connector: a management account with linked accounts, a
// role Reckon assumes with an external ID, and a bucket of reports.
//
// Services are told apart the way AWS's own endpoints tell them apart from a
// single host: JSON 1.1 calls by X-Amz-Target, query calls (STS, IAM) by
// their Action form field, and everything else is S3's REST API. Every call
// is authenticated by the access key in its SigV4 Authorization header.
package awsemu
