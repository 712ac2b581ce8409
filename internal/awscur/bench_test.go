package awscur

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// benchHeader is a legacy CUR header as AWS writes it for an account with
// resource IDs and tags: the columns Reckon reads, mixed with ones it skips.
var benchHeader = []string{
	"identity/LineItemId", "identity/TimeInterval", "bill/InvoiceId", "bill/InvoicingEntity", "bill/BillingEntity",
	"bill/BillType", "bill/PayerAccountId", "bill/BillingPeriodStartDate", "bill/BillingPeriodEndDate",
	"lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UsageEndDate",
	"lineItem/ProductCode", "lineItem/UsageType", "lineItem/Operation", "lineItem/AvailabilityZone", "lineItem/ResourceId",
	"lineItem/UsageAmount", "lineItem/NormalizationFactor", "lineItem/NormalizedUsageAmount", "lineItem/CurrencyCode",
	"lineItem/UnblendedRate", "lineItem/UnblendedCost", "lineItem/BlendedRate", "lineItem/BlendedCost",
	"lineItem/LineItemDescription", "lineItem/TaxType", "lineItem/LegalEntity", "product/ProductName", "product/instanceType",
	"product/location", "product/operatingSystem", "product/productFamily", "product/region", "product/regionCode",
	"product/servicecode", "product/sku", "product/usagetype", "pricing/publicOnDemandCost", "pricing/publicOnDemandRate",
	"pricing/term", "pricing/unit", "reservation/EffectiveCost", "reservation/ReservationARN",
	"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "reservation/UnusedRecurringFee",
	"savingsPlan/SavingsPlanARN", "savingsPlan/SavingsPlanEffectiveCost", "savingsPlan/TotalCommitmentToDate",
	"savingsPlan/UsedCommitment", "resourceTags/aws:createdBy", "resourceTags/user:Environment", "resourceTags/user:Team",
	"costCategory/BusinessUnit",
}

type benchProduct struct {
	code, name, usageType, operation, instance, family, unit, description string
	rate                                                                  string
}

var benchProducts = []benchProduct{
	{"AmazonEC2", "Amazon Elastic Compute Cloud", "USE1-BoxUsage:m5.large", "RunInstances", "m5.large", "Compute Instance", "Hrs", "$0.096 per On Demand Linux m5.large Instance Hour", "0.096"},
	{"AmazonEC2", "Amazon Elastic Compute Cloud", "USE1-EBS:VolumeUsage.gp3", "CreateVolume-Gp3", "", "Storage", "GB-Mo", "$0.08 per GB-month of General Purpose (gp3) provisioned storage - US East (N. Virginia)", "0.08"},
	{"AmazonS3", "Amazon Simple Storage Service", "USE1-TimedStorage-ByteHrs", "StandardStorage", "", "Storage", "GB-Mo", "$0.023 per GB - first 50 TB / month of storage used", "0.023"},
	{"AmazonRDS", "Amazon Relational Database Service", "USE1-InstanceUsage:db.r6g.large", "CreateDBInstance:0002", "db.r6g.large", "Database Instance", "Hrs", "$0.206 per RDS db.r6g.large instance hour (or partial hour) running MySQL", "0.206"},
	{"AWSLambda", "AWS Lambda", "USE1-Lambda-GB-Second", "Invoke", "", "Serverless", "Lambda-GB-Second", "AWS Lambda - Total Compute - US East (Northern Virginia)", "0.0000166667"},
	{"AWSDataTransfer", "AWS Data Transfer", "USE1-DataTransfer-Out-Bytes", "", "", "Data Transfer", "GB", "$0.09 per GB - first 10 TB / month data transfer out beyond the global free tier", "0.09"},
}

var benchTypes = []string{"Usage", "Usage", "Usage", "Usage", "Usage", "Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "Usage", "Tax"}

// benchNetHeader are the net columns of an account with negotiated
// discounts, appended to benchHeader for the net variant.
var benchNetHeader = []string{"lineItem/NetUnblendedCost", "reservation/NetEffectiveCost", "savingsPlan/NetSavingsPlanEffectiveCost"}

// benchCUR builds a month of hourly line items: six products in five
// accounts, most rows usage, some covered by commitments, some taxes, and
// every row tagged the way tagged accounts are. With net, each row also has
// the net columns an account with discounts has.
func benchCUR(rows int, net bool) []byte {
	var b bytes.Buffer
	header := benchHeader
	if net {
		header = append(slices.Clip(header), benchNetHeader...)
	}
	b.WriteString(strings.Join(header, ","))
	b.WriteString("\n")
	accounts := []string{"012345678901", "123456789012", "234567890123", "000011112222", "987654321098"}
	periodStart := time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		p := benchProducts[i%len(benchProducts)]
		typ := benchTypes[i/7%len(benchTypes)]
		account := accounts[i/3%len(accounts)]
		hour := periodStart.Add(time.Duration(i/40%720) * time.Hour)
		start, end := hour.Format("2006-01-02T15:04:05Z"), hour.Add(time.Hour).Format("2006-01-02T15:04:05Z")
		amount := fmt.Sprintf("%d.%07d", i%3, i*7919%10_000_000)
		cost := fmt.Sprintf("0.%017d", uint64(i)*104729%100_000_000_000_000_000)
		resource := fmt.Sprintf("i-%017x", i%5000)
		var riARN, riEff, riNet, spARN, spEff, spNet string
		switch typ {
		case "DiscountedUsage":
			riARN, riEff, riNet = "arn:aws:ec2:us-east-1:"+account+":reserved-instances/6f1c2b3a-4d5e-6f70-8192-a3b4c5d6e7f8", "0.0612", "0.059364"
		case "SavingsPlanCoveredUsage":
			spARN, spEff, spNet = "arn:aws:savingsplans::"+account+":savingsplan/3f2b4a10-9c1e-4d5b-8a7f-0e6c5d4b3a21", "0.0587", "0.056939"
		}
		description := p.description
		if typ == "Tax" {
			description, resource, amount = "Tax for product code "+p.code+", usage in US East", "", ""
		}
		cells := []string{
			fmt.Sprintf("%040x", uint64(i)*2654435761), start + "/" + end, "", "Amazon Web Services, Inc.", "AWS",
			"Anniversary", "012345678901", "2023-11-01T00:00:00Z", "2023-12-01T00:00:00Z",
			account, typ, start, end,
			p.code, p.usageType, p.operation, "us-east-1a", resource,
			amount, "0", "0", "USD",
			p.rate, cost, p.rate, cost,
			description, "", "Amazon Web Services, Inc.", p.name, p.instance,
			"US East (N. Virginia)", "Linux", p.family, "us-east-1", "us-east-1",
			p.code, "DX9ZTW8FVD5C3JVN", p.usageType, cost, p.rate,
			"OnDemand", p.unit, riEff, riARN,
			"", "",
			spARN, spEff, "", "",
			"IAMUser:AIDAEXAMPLE:ci", []string{"prod", "staging", "dev"}[i%3], []string{"platform", "data", "web", "ml"}[i%4],
			"Engineering",
		}
		if net {
			cells = append(cells, cost, riNet, spNet)
		}
		for j, c := range cells {
			if j > 0 {
				b.WriteByte(',')
			}
			if strings.ContainsAny(c, ",\"\n") {
				c = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
			}
			b.WriteString(c)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// BenchmarkReader reads a 100,000-row CUR from memory. The row is the unit
// that matters: see the ns/row, rows/s and allocs/row metrics.
func BenchmarkReader(b *testing.B) { benchmarkReader(b, false) }

// BenchmarkReaderNetColumns reads the same CUR with net columns, whose
// EffectiveCost is the net amortized cost.
func BenchmarkReaderNetColumns(b *testing.B) { benchmarkReader(b, true) }

func benchmarkReader(b *testing.B, net bool) {
	const rows = 100_000
	data := benchCUR(rows, net)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := 0
	for b.Loop() {
		rd, err := NewReader(bytes.NewReader(data), "bench.csv")
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		if rd.Rows() != rows {
			b.Fatalf("read %d rows, want %d", rd.Rows(), rows)
		}
		n += rows
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/row")
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n), "allocs/row")
}

// TestBenchCURIsValid keeps the benchmark's input honest: it must read
// without errors or warnings and cover every branch it claims to.
func TestBenchCURIsValid(t *testing.T) {
	rows, warnings := readString(t, string(benchCUR(2000, false)))
	if len(warnings) > 0 {
		t.Errorf("warnings: %v", warnings)
	}
	netRows, warnings := readString(t, string(benchCUR(2000, true)))
	if len(warnings) > 0 {
		t.Errorf("net columns: warnings: %v", warnings)
	}
	for i, r := range netRows {
		if r.LineItemType != rows[i].LineItemType || r.BilledCost != rows[i].BilledCost ||
			(r.EffectiveCost == rows[i].EffectiveCost) != (r.LineItemType != "DiscountedUsage" && r.LineItemType != "SavingsPlanCoveredUsage") {
			t.Fatalf("row %s: with net columns %s billed %s effective %s, without billed %s effective %s",
				r.LineItemID, r.LineItemType, r.BilledCost, r.EffectiveCost, rows[i].BilledCost, rows[i].EffectiveCost)
		}
	}
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.LineItemType] = true
		if len(r.Tags) != 3 || len(r.CostCategories) != 1 {
			t.Fatalf("row %s: tags %v, cost categories %v", r.LineItemID, r.Tags, r.CostCategories)
		}
	}
	for _, typ := range []string{"Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "Tax"} {
		if !seen[typ] {
			t.Errorf("no %s row", typ)
		}
	}
}
