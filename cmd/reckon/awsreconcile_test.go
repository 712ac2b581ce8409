package main

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/reckon-finops/reckon/internal/awsemu"
	"github.com/reckon-finops/reckon/internal/synth"
)

// TestReconcileEachMetric loads generated CURs with and without net
// columns through the emulator, then reconciles every Cost Explorer metric:
// the emulator computes each from the raw CUR columns on its own, so a
// match to the cent checks Reckon's BilledCost, x_UnblendedCost and
// EffectiveCost against an independent implementation.
func TestReconcileEachMetric(t *testing.T) {
	const ext = "Zq8tYw3mK1pL6vB0nX4rC7sD2fG5hJ9a"
	setAWSTestEnv(t)
	t.Setenv("RECKON_EXT_ID", ext)
	for _, net := range []bool{false, true} {
		name := "without net columns"
		if net {
			name = "with net columns"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			want, err := synth.WriteBucket(dir, synth.Options{Seed: 12, Months: 2, RowsPerMonth: 400, ReportName: "reckon", Prefix: "cur", NetColumns: net})
			if err != nil {
				t.Fatal(err)
			}
			hs := httptest.NewServer(awsemu.New(emulatorState(dir, ext), nil))
			defer hs.Close()
			data := t.TempDir()
			aws := []string{"--role-arn", testRoleARN, "--external-id-env", "RECKON_EXT_ID", "--endpoint", hs.URL}
			if code, out, stderr := cli(t, append([]string{"aws", "collect", "--data", data, "--report", "reckon"}, aws...)...); code != 0 {
				t.Fatalf("collect: exit %d\n%s\n%s", code, out, stderr)
			}
			reconcile := func(metric string) (int, string, string) {
				return cli(t, append([]string{"aws", "reconcile", "--data", data, "--format", "json", "--metric", metric}, aws...)...)
			}
			for _, c := range []struct{ metric, column string }{{"UnblendedCost", "x_UnblendedCost"}, {"NetUnblendedCost", "BilledCost"},
				{"NetAmortizedCost", "EffectiveCost"}, {"AmortizedCost", "EffectiveCost"}} {
				metric, column := c.metric, c.column
				if net && metric == "AmortizedCost" {
					continue
				}
				t.Run(metric+" matches "+column+" to the cent", func(t *testing.T) {
					code, out, stderr := reconcile(metric)
					var v struct {
						Metric, ReckonCost string
						Rows               []struct{ Match bool }
					}
					if err := json.Unmarshal([]byte(out), &v); err != nil {
						t.Fatalf("exit %d, not JSON: %v\n%s\n%s", code, err, out, stderr)
					}
					if code != 0 || v.Metric != metric || v.ReckonCost != column || len(v.Rows) != 2*len(want.ByAccount) {
						t.Errorf("exit %d, %s against %s, %d rows\n%s\n%s", code, v.ReckonCost, v.Metric, len(v.Rows), out, stderr)
					}
					for _, r := range v.Rows {
						if !r.Match {
							t.Errorf("a mismatch:\n%s", out)
							break
						}
					}
				})
			}
			if net {
				t.Run("AmortizedCost is refused: the discounts make it differ from EffectiveCost", func(t *testing.T) {
					code, out, stderr := reconcile("AmortizedCost")
					if code != 1 || out != "" || !strings.Contains(stderr, "negotiated discounts") || !strings.Contains(stderr, "--metric NetAmortizedCost") {
						t.Errorf("exit %d\n%s\n%s", code, out, stderr)
					}
				})
			}
		})
	}
}

func TestReconcileRefusesAnUnknownMetric(t *testing.T) {
	code, _, stderr := cli(t, "aws", "reconcile", "--data", t.TempDir(), "--metric", "BlendedCost",
		"--role-arn", testRoleARN, "--external-id-env", "RECKON_EXT_ID")
	if code != 2 || !strings.Contains(stderr, `--metric "BlendedCost": use UnblendedCost, NetUnblendedCost, AmortizedCost or NetAmortizedCost`) {
		t.Errorf("exit %d: %s", code, stderr)
	}
}
