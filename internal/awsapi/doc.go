// Package awsapi is Reckon's side of the AWS connector, on the official
// aws-sdk-go-v2: it assumes the customer's role with the external ID, reads
// and checks the CUR report definition, lists and downloads the reports from
// S3, reads the organisation's accounts, audits the role's policies against
// least privilege and compares totals with Cost Explorer. Endpoints are
// injectable (BaseEndpoint), so the same code talks to AWS or to awsemu.
package awsapi
