package synth

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// AzureOptions describes the Azure cost exports to generate: EA cost details
// of one billing account, an actual and an amortized export per month.
type AzureOptions struct {
	Seed               uint64
	Start              time.Time // the first month (UTC, its first day)
	Months             int
	BillingAccountID   string // an EA enrollment number
	BillingAccountName string
	Currency           string
	Subscriptions      []AzureSubscription // the first one holds a reserved VM
	// Now ends the month it falls in: the exports of that month hold the
	// days before Now's date (at least one), as a month-to-date export
	// does. Zero means every month is whole.
	Now time.Time
	// SpikeDay, when set, is a day whose SQL Database usage in the first
	// subscription is SpikeFactor times the usual (a runaway scale-up): an
	// anomaly to find.
	SpikeDay    time.Time
	SpikeFactor int64
}

// AzureSubscription is one subscription of the generated exports.
type AzureSubscription struct {
	ID, Name string // ID is a GUID, written in upper case on some rows as Azure does
}

// AzureMonth is one month of generated exports: the actual and the amortized
// cost details CSV (EA columns, PascalCase, with a byte-order mark).
type AzureMonth struct {
	Start             time.Time
	Actual, Amortized []byte
	ActualRows        int
	AmortizedRows     int
}

// AzureTotals are what a correct load of the exports gives, in micro-units
// of the currency: BilledCost from the actual exports, EffectiveCost from the
// amortized ones, by subscription GUID (lower case) and by month (first day).
type AzureTotals struct {
	Billed, Effective           map[string]int64
	BilledByMonth, EffByMonth   map[time.Time]int64
	BilledTotal, EffectiveTotal int64
}

// DemoAzureOptions are the demo's two Azure subscriptions, over the same
// months as DemoOptions(now).
func DemoAzureOptions(now time.Time) AzureOptions {
	aws := DemoOptions(now)
	today := time.Date(aws.Now.Year(), aws.Now.Month(), aws.Now.Day(), 0, 0, 0, 0, time.UTC)
	return AzureOptions{
		Seed: 7, Start: aws.Start, Months: aws.Months, Now: aws.Now,
		SpikeDay: today.AddDate(0, 0, -3), SpikeFactor: 8, // an anomaly for the demo to show
		BillingAccountID: "8611537", BillingAccountName: "Trey Research", Currency: "EUR",
		Subscriptions: []AzureSubscription{
			{ID: "1a2b3c4d-0000-4000-8000-00000000000a", Name: "Trey Prod"},
			{ID: "5e6f7a8b-0000-4000-8000-00000000000b", Name: "Trey Dev"},
		},
	}
}

// azureHeader is the EA cost details header the generator writes.
const azureHeader = "\ufeffBillingAccountId,BillingAccountName,BillingPeriodStartDate,BillingPeriodEndDate,SubscriptionId,SubscriptionName," +
	"Date,ProductName,MeterCategory,MeterSubCategory,MeterName,ServiceFamily,Quantity,UnitOfMeasure,EffectivePrice," +
	"CostInBillingCurrency,PayGPrice,ResourceLocation,ConsumedService,ResourceId,Tags,ReservationId,ReservationName," +
	"ChargeType,Frequency,PricingModel,BillingCurrency,ResourceGroup\n"

// azureService is a metered resource the generated subscriptions run.
type azureService struct {
	product, category, sub, meter, family, unit, consumed, rg, kind, name, location, tags string
	hours                                                                                 int64 // quantity per day
	price                                                                                 int64 // micro-units per unit
}

var azureServices = []azureService{
	{"Virtual Machines D2s v3 - EU West", "Virtual Machines", "Dsv3 Series", "D2s v3", "Compute", "1 Hour", "Microsoft.Compute",
		"web", "virtualMachines", "web-01", "westeurope", `"env": "prod","team": "web"`, 24, 96_000},
	{"Storage - Hot LRS", "Storage", "Hot Block Blob", "LRS Data Stored", "Storage", "1 GB/Month", "Microsoft.Storage",
		"data", "storageAccounts", "treylogs", "westeurope", `{"env":"prod"}`, 1, 1_840_000},
	{"SQL Database Single vCore", "SQL Database", "General Purpose", "vCore", "Databases", "1 Hour", "Microsoft.Sql",
		"data", "servers", "orders-sql", "northeurope", ``, 24, 250_000},
}

// reservedRate is the reserved VM's amortized cost per hour, in micro-units.
const reservedRate = 100_000

// GenerateAzure returns the exports month by month and their totals. The
// same options always give the same bytes.
func GenerateAzure(o AzureOptions) ([]AzureMonth, AzureTotals) {
	tot := AzureTotals{Billed: map[string]int64{}, Effective: map[string]int64{},
		BilledByMonth: map[time.Time]int64{}, EffByMonth: map[time.Time]int64{}}
	rnd := o.Seed*2654435761 + 1
	next := func(n int64) int64 { // a small deterministic pseudo-random number in [0, n)
		rnd ^= rnd << 13
		rnd ^= rnd >> 7
		rnd ^= rnd << 17
		return int64(rnd % uint64(n))
	}
	var months []AzureMonth
	for m := range o.Months {
		start := o.Start.AddDate(0, m, 0)
		end := start.AddDate(0, 1, 0)
		days := int(end.Sub(start).Hours() / 24)
		if !o.Now.IsZero() && o.Now.Before(end) {
			days = max(1, int(o.Now.Sub(start)/(24*time.Hour))) // month to date
		}
		var actual, amortized strings.Builder
		actual.WriteString(azureHeader)
		amortized.WriteString(azureHeader)
		month := AzureMonth{Start: start}
		w := azureWriter{o: o, start: start, end: end}
		add := func(sub string, billed, effective int64) {
			sub = strings.ToLower(sub)
			tot.Billed[sub] += billed
			tot.Effective[sub] += effective
			tot.BilledByMonth[start] += billed
			tot.EffByMonth[start] += effective
			tot.BilledTotal += billed
			tot.EffectiveTotal += effective
		}
		for d := range days {
			day := start.AddDate(0, 0, d)
			for i, s := range o.Subscriptions {
				id := s.ID
				if d%3 == 0 {
					id = strings.ToUpper(id) // Azure writes one GUID in either case
				}
				for _, svc := range azureServices {
					qty := svc.hours * (80 + next(40)) / 100 // 80–119% of the usual
					if svc.hours == 24 {
						qty = 24
					}
					if i == 0 && svc.category == "SQL Database" && day.Equal(o.SpikeDay) && o.SpikeFactor > 1 {
						qty *= o.SpikeFactor
					}
					c := qty * svc.price * int64(i+1)
					line := w.usage(id, s.Name, day, svc, qty, c, "OnDemand", "")
					actual.WriteString(line)
					amortized.WriteString(line)
					month.ActualRows++
					month.AmortizedRows++
					add(s.ID, c, c)
				}
				if i == 0 { // the reserved VM: 0 in the actual export, its share of the reservation amortized
					vm := azureService{"Virtual Machines D4s v3 - EU West", "Virtual Machines", "Dsv3 Series", "D4s v3", "Compute", "1 Hour",
						"Microsoft.Compute", "app", "virtualMachines", "app-01", "westeurope", `"env": "prod","team": "app"`, 24, 0}
					actual.WriteString(w.usage(id, s.Name, day, vm, 24, 0, "Reservation", "ri-0001"))
					amortized.WriteString(w.usage(id, s.Name, day, vm, 24, 24*reservedRate, "Reservation", "ri-0001"))
					month.ActualRows++
					month.AmortizedRows++
					add(s.ID, 0, 24*reservedRate)
				}
			}
		}
		// The reservation is paid monthly: the actual export bills it on the
		// first day; the amortized export spreads it over the usage above,
		// and shows the hours nothing used as UnusedReservation.
		sub := o.Subscriptions[0]
		unused := (2 + next(4)) * reservedRate
		purchase := int64(days)*24*reservedRate + unused
		actual.WriteString(w.line(sub.ID, sub.Name, start, "Reserved VM Instance, Dsv3 Series, D4s v3, EU West, 1 Year", "Virtual Machines",
			"", "", "Compute", "1", "1 Month", purchase, purchase, "", "", "", "", "ri-0001", "Purchase", "Recurring", "Reservation"))
		month.ActualRows++
		add(sub.ID, purchase, 0)
		amortized.WriteString(w.line(sub.ID, sub.Name, start.AddDate(0, 0, min(14, days-1)), "Reserved VM Instance, Dsv3 Series, D4s v3, EU West, 1 Year",
			"Virtual Machines", "Dsv3 Series", "D4s v3", "Compute", fmt.Sprint(unused/reservedRate), "1 Hour", unused, unused,
			"westeurope", "", "", "", "ri-0001", "UnusedReservation", "UsageBased", "Reservation"))
		month.AmortizedRows++
		add(sub.ID, 0, unused)
		month.Actual, month.Amortized = []byte(actual.String()), []byte(amortized.String())
		months = append(months, month)
	}
	return months, tot
}

// azureWriter writes cost details lines of one month.
type azureWriter struct {
	o          AzureOptions
	start, end time.Time
}

func (w azureWriter) usage(sub, subName string, day time.Time, s azureService, qty, c int64, model, reservation string) string {
	id := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/%s/%s/%s", sub, s.rg, s.consumed, s.kind, s.name)
	return w.line(sub, subName, day, s.product, s.category, s.sub, s.meter, s.family, fmt.Sprint(qty), s.unit, c, s.price*qty,
		s.location, s.consumed, id, s.tags, reservation, "Usage", "UsageBased", model)
}

func (w azureWriter) line(sub, subName string, day time.Time, product, category, subCategory, meter, family, qty, unit string,
	c, payg int64, location, consumed, resource, tags, reservation, chargeType, frequency, model string) string {
	rg := ""
	if i := strings.Index(strings.ToLower(resource), "/resourcegroups/"); i >= 0 {
		rg = strings.SplitN(resource[i+len("/resourcegroups/"):], "/", 2)[0]
	}
	reservationName := ""
	if reservation != "" {
		reservationName = "VM_RI_" + strings.ToUpper(reservation[3:])
	}
	fields := []string{
		w.o.BillingAccountID, w.o.BillingAccountName, usDate(w.start), usDate(w.end.AddDate(0, 0, -1)), sub, subName,
		usDate(day), product, category, subCategory, meter, family, qty, unit, "",
		micro(c), micro(payg), location, consumed, resource, csvQuote(tags), reservation, reservationName,
		chargeType, frequency, model, w.o.Currency, rg,
	}
	for i, f := range fields {
		if strings.ContainsAny(f, ",\"\n") && !strings.HasPrefix(f, `"`) {
			fields[i] = csvQuote(f)
		}
	}
	return strings.Join(fields, ",") + "\n"
}

// usDate writes a date as EA exports do: MM/DD/YYYY.
func usDate(t time.Time) string { return t.Format("01/02/2006") }

// micro formats micro-units as a decimal with six places.
func micro(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%06d", sign, v/1_000_000, v%1_000_000)
}

// Micro formats a total of AzureTotals as a decimal string.
func Micro(v int64) string { return micro(v) }

func csvQuote(s string) string {
	if s == "" {
		return ""
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// WriteAzureExports writes the exports into root as Cost Management writes
// them to a container since 2023: for each month an actual and an amortized
// run of exports at the billing account's scope, each run a folder
// <export>/<YYYYMMDD-YYYYMMDD>/<yyyyMMddHHmm>/<run id>/ holding part_0_0001.csv
// and manifest.json. It returns the totals a correct load gives.
func WriteAzureExports(root string, o AzureOptions) (AzureTotals, error) {
	months, tot := GenerateAzure(o)
	scope := "/providers/Microsoft.Billing/billingAccounts/" + o.BillingAccountID
	for i, m := range months {
		submitted := m.Start.AddDate(0, 1, 2).Add(6 * time.Hour) // the run after the month closed
		if !o.Now.IsZero() && submitted.After(o.Now) {
			submitted = o.Now // this month's run so far
		}
		for _, e := range []struct {
			export, dataset string
			data            []byte
			rows            int
		}{{"reckon-demo-actual", "ActualCost", m.Actual, m.ActualRows}, {"reckon-demo-amortized", "AmortizedCost", m.Amortized, m.AmortizedRows}} {
			runID := fmt.Sprintf("%08x-0000-4000-8000-%012x", o.Seed, i*2+len(e.dataset))
			dir := path.Join(e.export, m.Start.Format("20060102")+"-"+m.Start.AddDate(0, 1, -1).Format("20060102"),
				submitted.Format("200601021504"), runID)
			part := path.Join(dir, "part_0_0001.csv")
			manifest := map[string]any{
				"manifestVersion": "2024-03-01", "byteCount": len(e.data), "blobCount": 1, "dataRowCount": e.rows,
				"exportConfig": map[string]any{"exportName": e.export, "resourceId": scope + "/providers/Microsoft.CostManagement/exports/" + e.export,
					"dataVersion": "2021-10-01", "apiVersion": "2023-07-01-preview", "type": e.dataset, "timeFrame": "BillingMonthToDate", "granularity": "Daily"},
				"deliveryConfig": map[string]any{"partitionData": true, "dataOverwriteBehavior": "CreateNewReport", "fileFormat": "Csv",
					"compressionMode": "None", "rootFolderPath": ""},
				"runInfo": map[string]any{"executionType": "Scheduled", "submittedTime": submitted.Format(time.RFC3339), "runId": runID,
					"startDate": m.Start.Format("2006-01-02T15:04:05"), "endDate": m.Start.AddDate(0, 1, -1).Format("2006-01-02T15:04:05")},
				"blobs": []any{map[string]any{"blobName": part, "byteCount": len(e.data), "dataRowCount": e.rows}},
			}
			data, err := json.MarshalIndent(manifest, "", "  ")
			if err != nil {
				return tot, err
			}
			if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(dir)), 0o755); err != nil {
				return tot, err
			}
			if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(part)), e.data, 0o644); err != nil {
				return tot, err
			}
			if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(dir), "manifest.json"), data, 0o644); err != nil {
				return tot, err
			}
		}
	}
	return tot, nil
}
