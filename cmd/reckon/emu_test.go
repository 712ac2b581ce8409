package main

import (
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/awsemu"
)

// The emulator tests' customer is the bench's (benchcustomer.go).
const (
	testPayer   = emuPayer
	testRoleARN = emuRoleARN
)

func emulatorState(bucket, ext string) *awsemu.State { return emulatedCustomer(bucket, ext) }

// awsTestEnv gives the SDK Reckon's own keys for the emulator, and nothing
// from the machine.
var awsTestEnv = emuAWSEnv

// setAWSTestEnv sets awsTestEnv in this process, for in-process commands.
func setAWSTestEnv(t *testing.T) {
	for _, kv := range awsTestEnv {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}
