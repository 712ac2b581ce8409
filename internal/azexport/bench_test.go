package azexport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
)

// BenchmarkReader reads a generated EA cost details file of 10,000 rows.
func BenchmarkReader(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("\ufeffBillingAccountId,BillingAccountName,SubscriptionId,SubscriptionName,Date,MeterCategory,MeterName,Quantity,CostInBillingCurrency,BillingCurrency,ResourceLocation,ConsumedService,ResourceId,Tags,ChargeType,Frequency,PricingModel,UnitOfMeasure,BillingPeriodStartDate,BillingPeriodEndDate\r\n")
	for i := range 10_000 {
		fmt.Fprintf(&buf, "8611537,Trey,1A2B3C4D-0000-4000-8000-%012d,Prod,11/%02d/2026,Virtual Machines,D2s v3,24,%d.19947E-9,USD,US East 2,Microsoft.Compute,"+
			"/subscriptions/1A2B3C4D-0000-4000-8000-%012d/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/vm-%d,"+
			"\"\"\"env\"\": \"\"prod\"\",\"\"org\"\": \"\"trey\"\"\",Usage,UsageBased,OnDemand,1 Hour,11/01/2026,11/30/2026\r\n",
			i%7, i%30+1, i, i%7, i)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rd, err := NewReader(bytes.NewReader(data), "bench.csv", Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := rd.Next(); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
