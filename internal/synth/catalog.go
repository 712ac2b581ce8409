package synth

import (
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
)

// lit is a lineItem/LineItemType.
type lit uint8

const (
	litUsage lit = iota
	litDiscounted
	litSPCovered
	litSPNegation
	litSPUpfront
	litSPRecurring
	litRIFee
	litFee
	litTax
	litCredit
	litRefund
	litBundled
	litDiscount
	litPrivateRate
	litEdp
	numLIT
)

var litNames = [numLIT]string{
	"Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "SavingsPlanNegation",
	"SavingsPlanUpfrontFee", "SavingsPlanRecurringFee", "RIFee", "Fee", "Tax", "Credit",
	"Refund", "BundledDiscount", "Discount", "PrivateRateDiscount", "EdpDiscount",
}

// LineItemTypes lists every lineItem/LineItemType the generator writes.
func LineItemTypes() []string { return append([]string(nil), litNames[:]...) }

// svc is a product: lineItem/ProductCode and product/ProductName.
type svc uint8

const (
	sEC2 svc = iota
	sS3
	sRDS
	sLambda
	sCloudWatch
	sDataTransfer
	sDynamoDB
	sVPC
	sSavingsPlans
	sSupport
	sCostExplorer
	sMarketplace
	numSvc
)

var services = [numSvc]struct{ code, name string }{
	sEC2:          {"AmazonEC2", "Amazon Elastic Compute Cloud"},
	sS3:           {"AmazonS3", "Amazon Simple Storage Service"},
	sRDS:          {"AmazonRDS", "Amazon Relational Database Service"},
	sLambda:       {"AWSLambda", "AWS Lambda"},
	sCloudWatch:   {"AmazonCloudWatch", "AmazonCloudWatch"},
	sDataTransfer: {"AWSDataTransfer", "AWS Data Transfer"},
	sDynamoDB:     {"AmazonDynamoDB", "Amazon DynamoDB"},
	sVPC:          {"AmazonVPC", "Amazon Virtual Private Cloud"},
	sSavingsPlans: {"ComputeSavingsPlans", "Savings Plans for AWS Compute usage"},
	sSupport:      {"AWSSupportBusiness", "AWS Support (Business)"},
	sCostExplorer: {"AWSCostExplorer", ""}, // real files leave some product names empty
	sMarketplace:  {"5bw7yq2tpxample8xk3pzq9t0", "Acme Observability Pro"},
}

// serviceName is the FOCUS ServiceName the totals are keyed by.
func serviceName(s svc) string {
	if services[s].name != "" {
		return services[s].name
	}
	return services[s].code
}

const (
	emea          = "Amazon Web Services EMEA SARL"
	mpSeller      = "Acme Observability, Inc."
	entityAWS     = 0
	entityMP      = 1
	entityPurch   = 2
	edpPercent    = 3 // Enterprise Discount Program on AWS on-demand usage
	privatePct    = 5 // private pricing on S3 storage
	taxPercent    = 21
	spDiscountPct = 28 // Compute Savings Plan rate below on-demand
)

type region struct {
	code, short, long, location string
	factor                      int64 // price multiplier in per mille of us-east-1
	weight                      int
}

var regions = []region{
	{"us-east-1", "", "USE1", "US East (N. Virginia)", 1000, 40},
	{"eu-west-1", "EU-", "EUW1", "EU (Ireland)", 1100, 30},
	{"eu-central-1", "EUC1-", "EUC1", "EU (Frankfurt)", 1150, 10},
	{"ap-southeast-2", "APS2-", "APS2", "Asia Pacific (Sydney)", 1250, 10},
	{"us-west-2", "USW2-", "USW2", "US West (Oregon)", 1000, 10},
}

type itype struct {
	name, family, vcpu, mem string
	rate, nf                dec
}

var ec2Types = []itype{
	{"m5.large", "General purpose", "2", "8 GiB", dec{96, 3}, dec{4, 0}},
	{"m5.xlarge", "General purpose", "4", "16 GiB", dec{192, 3}, dec{8, 0}},
	{"c6g.xlarge", "Compute optimized", "4", "8 GiB", dec{136, 3}, dec{8, 0}},
	{"t3.medium", "General purpose", "2", "4 GiB", dec{416, 4}, dec{2, 0}},
	{"r6i.2xlarge", "Memory optimized", "8", "64 GiB", dec{504, 3}, dec{16, 0}},
	{"t3.micro", "General purpose", "2", "1 GiB", dec{104, 4}, dec{5, 1}},
}

var rdsTypes = []itype{
	{"db.r6g.large", "Memory optimized", "2", "16 GiB", dec{225, 3}, dec{4, 0}},
	{"db.t4g.medium", "General purpose", "2", "4 GiB", dec{65, 3}, dec{2, 0}},
	{"db.m6g.large", "General purpose", "2", "8 GiB", dec{152, 3}, dec{4, 0}},
}

// Tag vocabularies; "" means the tag is set with an empty value.
var (
	envs      = []string{"prod", "prod", "prod", "staging", "dev", "dev", "sandbox", ""}
	teams     = []string{"platform", "payments", "data", "web", "ml", ""}
	costCtrs  = []string{"CC-1001", "CC-1002", "CC-2001", "CC-3005", ""}
	creators  = []string{"IAMUser:AIDAEXAMPLEUSER1:alice", "AssumedRole:AROAEXAMPLEROLE1:terraform", "AssumedRole:AROAEXAMPLEROLE2:github-actions"}
	units     = map[string]string{"platform": "Engineering", "payments": "Commerce", "data": "Data & AI", "ml": "Data & AI", "web": "Digital"}
	appNames  = []string{"orders", "billing", "search", "checkout", "catalog", "ledger", "ingest", "reports", "auth", "media"}
	skuLetter = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
)

// shape says how a meter's hourly usage amount is drawn.
type shape uint8

const (
	shHour    shape = iota // instance hours: 1, sometimes a partial hour
	shStorage              // size spread over the hours of the month (GB-Mo)
	shRandom               // uniform in [lo, hi) at scale us
	shCount                // integer in [lo, hi)
)

// meter is one billable resource × usage type. Its static cells are rendered
// once; only amounts, ids and times change per row.
type meter struct {
	lit      lit
	acct     int
	svc      svc
	entity   int
	shape    shape
	us       int8
	lo, hi   int64
	rate     dec // on-demand rate
	netRate  dec
	spRate   dec
	nf       dec // normalization factor; zero when none
	ri       int // index into gen.ris, or -1
	edp      bool
	private  bool
	tags     []int32
	tmpl     row
	negation *row
}

// rnd returns a uniform integer in [0, n).
func rnd(r *rand.PCG, n int64) int64 {
	hi, _ := bits.Mul64(r.Uint64(), uint64(n))
	return int64(hi)
}

func pick[T any](r *rand.PCG, xs []T) T { return xs[rnd(r, int64(len(xs)))] }

func hexID(r *rand.PCG, n int) string {
	const hx = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hx[rnd(r, 16)]
	}
	return string(b)
}

func sku(r *rand.PCG) string {
	b := make([]byte, 12)
	for i := range b {
		b[i] = skuLetter[rnd(r, int64(len(skuLetter)))]
	}
	return string(b)
}

// fmtRate prints a rate the way descriptions do: "0.096".
func fmtRate(x dec) string {
	s := strings.TrimRight(x.String(), "0")
	return strings.TrimSuffix(s, ".")
}

func regional(rate dec, reg *region) dec {
	x := mul(rate, dec{reg.factor, 3})
	if x.s > moneyScale {
		x = round10(x)
	}
	return x
}

// mb builds one meter.
type mb struct {
	g   *gen
	r   *rand.PCG
	m   *meter
	reg *region
}

func (b *mb) set(c col, s string) { b.m.tmpl[c] = esc(s) }

func (b *mb) setDec(c col, x dec) { b.m.tmpl[c] = appendDec(nil, pad(x)) }

// start fills the cells every usage meter has.
func (b *mb) start(l lit, s svc, reg *region, acct int) {
	m := &meter{lit: l, svc: s, acct: acct, ri: -1, tmpl: b.g.base}
	b.m, b.reg = m, reg
	b.set(cUsageAccount, b.g.accts[acct])
	b.set(cLineItemType, litNames[l])
	b.set(cProductCode, services[s].code)
	b.set(cProductName, services[s].name)
	b.set(cServicecode, services[s].code)
	b.set(cRegion, reg.code)
	if rnd(b.r, 10) < 3 { // newer files fill regionCode too
		b.set(cRegionCode, reg.code)
	}
	b.set(cLocation, reg.location)
	b.set(cSku, sku(b.r))
	b.set(cTerm, "OnDemand")
	m.edp = l == litUsage
}

// usage sets usage type, operation, unit and the on-demand rate.
func (b *mb) usage(ut, op, unit string, rate dec, sh shape) {
	b.set(cUsageType, ut)
	b.set(cProdUsagetype, ut)
	b.set(cOperation, op)
	b.set(cUnit, unit)
	b.m.rate = rate
	b.m.shape = sh
	b.setDec(cPublicODRate, rate)
	switch b.m.lit {
	case litDiscounted:
		b.setDec(cUnblendedRate, dec{})
	default:
		b.setDec(cUnblendedRate, rate)
	}
	b.m.tmpl[cBlendedRate] = b.m.tmpl[cUnblendedRate]
}

func (b *mb) resource(id string) { b.set(cResourceID, id) }

func (b *mb) az() { b.set(cAZ, b.reg.code+string(rune('a'+rnd(b.r, 3)))) }

func (b *mb) arn(service, rest string) string {
	return "arn:aws:" + service + ":" + b.reg.code + ":" + b.g.accts[b.m.acct] + ":" + rest
}

func (b *mb) name() string {
	return pick(b.r, appNames) + "-" + pick(b.r, []string{"prod", "stg", "dev"}) + "-" + hexID(b.r, 4)
}

// tag assigns resource tags to most meters; a few are untagged, some have an
// Environment tag with an empty value.
func (b *mb) tag() {
	if rnd(b.r, 100) < 15 {
		return
	}
	env, team, cc := pick(b.r, envs), pick(b.r, teams), pick(b.r, costCtrs)
	b.setTag(cTagEnvironment, "Environment", env)
	b.setTag(cTagTeam, "Team", team)
	b.setTag(cTagCostCenter, "CostCenter", cc)
	if rnd(b.r, 10) < 7 {
		b.setTag(cTagCreatedBy, "aws:createdBy", pick(b.r, creators))
	}
	if u := units[team]; u != "" {
		b.set(cCostCategoryBU, u)
	}
}

func (b *mb) setTag(c col, key, val string) {
	b.set(c, val)
	if val != "" {
		b.m.tags = append(b.m.tags, b.g.tagIndex(key+"="+val))
	}
}

// finish derives the cells that depend on the rate and discounts.
func (b *mb) finish() *meter {
	m := b.m
	m.private = m.private && m.edp
	m.netRate = m.rate
	if m.lit == litDiscounted {
		m.netRate = dec{}
	}
	if pct := discountPct(m); pct > 0 {
		m.netRate = round10(mul(m.rate, dec{100 - pct, 2}))
	}
	b.setDec(cNetRate, m.netRate)
	if m.nf.m != 0 {
		b.setDec(cNormFactor, m.nf)
	}
	if m.lit == litSPCovered {
		neg := m.tmpl
		neg[cLineItemType] = esc(litNames[litSPNegation])
		neg[cSPRate] = nil
		neg[cUnblendedRate] = appendDec(nil, pad(m.rate.neg()))
		neg[cBlendedRate] = neg[cUnblendedRate]
		neg[cNetRate] = neg[cUnblendedRate]
		neg[cPublicODRate] = nil
		neg[cDescription] = esc("SavingsPlanNegation used by AccountId : " + b.g.accts[m.acct] +
			" and UsageSku : " + string(m.tmpl[cSku]))
		m.negation = &neg
	}
	return m
}

func discountPct(m *meter) int64 {
	var p int64
	if m.edp {
		p += edpPercent
	}
	if m.private {
		p += privatePct
	}
	return p
}

func (g *gen) tagIndex(key string) int32 {
	if i, ok := g.tagIdx[key]; ok {
		return i
	}
	i := int32(len(g.tagKeys))
	g.tagKeys = append(g.tagKeys, key)
	g.tagIdx[key] = i
	return i
}

// randInt formats an integer for ids like invoice numbers.
func randInt(r *rand.PCG, lo, hi int64) string { return strconv.FormatInt(lo+rnd(r, hi-lo), 10) }
