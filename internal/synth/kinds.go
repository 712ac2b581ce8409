package synth

// kinds are the usage meters of the synthetic organisation, with their share
// of the resource pool. The first four are also the meters every billing
// period is guaranteed to use, so every line item type appears.
var kinds = []struct {
	weight int
	build  func(b *mb, acct int)
}{
	{20, ec2OnDemand},
	{6, ec2Reserved},
	{7, ec2SavingsPlan},
	{5, s3Storage},
	{11, ebsVolume},
	{7, dataTransfer},
	{6, s3Requests},
	{3, rdsOnDemand},
	{2, rdsReserved},
	{4, lambdaCompute},
	{2, lambdaSavingsPlan},
	{3, lambdaRequests},
	{5, cloudWatch},
	{5, dynamoDB},
	{3, natGateway},
	{4, publicIPv4},
	{1, marketplace},
	{1, costExplorer},
}

const guaranteedKinds = 4

func (b *mb) region() *region {
	n := 0
	for _, r := range regions {
		n += r.weight
	}
	x := int(rnd(b.r, int64(n)))
	for i := range regions {
		if x < regions[i].weight {
			return &regions[i]
		}
		x -= regions[i].weight
	}
	return &regions[0]
}

func (b *mb) instance(l lit, acct int, it itype, reg *region) {
	b.start(l, sEC2, reg, acct)
	b.usage(reg.short+"BoxUsage:"+it.name, "RunInstances", "Hrs", regional(it.rate, reg), shHour)
	b.set(cProductFamily, "Compute Instance")
	b.set(cInstanceType, it.name)
	b.set(cInstanceFamily, it.family)
	b.set(cOperatingSystem, "Linux")
	b.set(cTenancy, "Shared")
	b.set(cVcpu, it.vcpu)
	b.set(cMemory, it.mem)
	b.m.nf = it.nf
	b.az()
	b.resource("i-0" + hexID(b.r, 16))
	b.tag()
}

func ec2OnDemand(b *mb, acct int) {
	reg := b.region()
	it := pick(b.r, ec2Types)
	b.instance(litUsage, acct, it, reg)
	b.set(cDescription, "$"+fmtRate(b.m.rate)+" per On Demand Linux "+it.name+" Instance Hour")
}

func ec2Reserved(b *mb, acct int) {
	ri := &b.g.ris[0]
	b.instance(litDiscounted, acct, ri.itype, &regions[ri.region])
	b.reserved(0, "USD 0.0 per Linux/UNIX (Amazon VPC), "+ri.itype.name+" reserved instance applied")
}

func (b *mb) reserved(i int, desc string) {
	ri := &b.g.ris[i]
	b.m.ri = i
	b.set(cDescription, desc)
	b.set(cTerm, "Reserved")
	b.set(cLeaseLength, "1yr")
	b.set(cOfferingClass, "standard")
	b.set(cPurchaseOption, "Partial Upfront")
	b.set(cRIARN, ri.arn)
	b.set(cRIStartTime, ri.start)
	b.set(cRIEndTime, ri.end)
	b.set(cRIModification, "NotModified")
}

func ec2SavingsPlan(b *mb, acct int) {
	it := pick(b.r, ec2Types)
	b.instance(litSPCovered, acct, it, b.region())
	b.set(cDescription, "$"+fmtRate(b.m.rate)+" per On Demand Linux "+it.name+" Instance Hour")
	b.savingsPlan()
}

// savingsPlan makes the meter covered by the organisation's Compute Savings
// Plan; finish prepares the matching negation row.
func (b *mb) savingsPlan() {
	sp := &b.g.sp
	m := b.m
	m.spRate = round10(mul(m.rate, dec{100 - spDiscountPct, 2}))
	b.set(cSPARN, sp.arn)
	b.setDec(cSPRate, m.spRate)
	b.set(cSPOfferingType, "ComputeSavingsPlans")
	b.set(cSPPaymentOption, "No Upfront")
	b.set(cSPPurchaseTerm, "1yr")
	b.set(cSPStartTime, sp.start)
	b.set(cSPEndTime, sp.end)
}

// commitmentKeep is what the EDP leaves of a commitment's cost: it discounts
// Reserved Instance and Savings Plan fees, and so their amortized cost.
var commitmentKeep = dec{100 - edpPercent, 2}

// netCommitment writes the net effective cost of usage a commitment
// covers, with Options.NetColumns. Rows whose net cost is left empty leave
// it empty too, so readers fall back to the gross column there.
func (w *worker) netCommitment(m *meter, v *vals) {
	v.netCols = w.g.o.NetColumns
	if !v.netCols || !v.hasNet {
		return
	}
	switch m.lit {
	case litDiscounted:
		v.riNetEff, v.hasNetCommit = round10(mul(v.riEff, commitmentKeep)), true
		w.row[cRINetEffectiveCost] = w.num(v.riNetEff)
	case litSPCovered:
		v.spNetEff, v.hasNetCommit = round10(mul(v.spEff, commitmentKeep)), true
		w.row[cSPNetEffectiveCost] = w.num(v.spNetEff)
	}
}

func s3Storage(b *mb, acct int) {
	reg := b.region()
	b.start(litUsage, sS3, reg, acct)
	rate := regional(dec{23, 3}, reg)
	b.usage(reg.short+"TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", rate, shStorage)
	b.m.lo, b.m.us, b.m.private = 10+rnd(b.r, 20000), 14, true
	b.set(cProductFamily, "Storage")
	b.set(cStorageClass, "General Purpose")
	b.set(cVolumeType, "Standard")
	b.set(cDescription, "$"+fmtRate(rate)+" per GB - first 50 TB / month of storage used")
	b.resource("arn:aws:s3:::" + b.name())
	b.tag()
}

func ebsVolume(b *mb, acct int) {
	reg := b.region()
	b.start(litUsage, sEC2, reg, acct)
	rate := regional(dec{8, 2}, reg)
	b.usage(reg.short+"EBS:VolumeUsage.gp3", "CreateVolume-Gp3", "GB-Mo", rate, shStorage)
	b.m.lo, b.m.us = pick(b.r, []int64{20, 50, 100, 250, 500, 1000, 2000}), 10
	b.set(cProductFamily, "Storage")
	b.set(cVolumeAPIName, "gp3")
	b.set(cVolumeType, "General Purpose")
	b.set(cDescription, "$"+fmtRate(rate)+" per GB-month of General Purpose (gp3) provisioned storage - "+reg.location)
	b.az()
	b.resource("vol-0" + hexID(b.r, 16))
	b.tag()
}

func dataTransfer(b *mb, acct int) {
	reg := b.region()
	b.start(litUsage, sDataTransfer, reg, acct)
	b.set(cProductFamily, "Data Transfer")
	b.set(cFromLocation, reg.location)
	if to := &regions[rnd(b.r, int64(len(regions)))]; to != reg {
		b.usage(reg.long+"-"+to.long+"-AWS-Out-Bytes", "RunInstances", "GB", dec{2, 2}, shRandom)
		b.set(cToLocation, to.location)
		b.set(cTransferType, "InterRegion Outbound")
		b.set(cDescription, "$0.02 per GB - "+reg.location+" data transfer to "+to.location)
	} else {
		b.usage(reg.short+"DataTransfer-Out-Bytes", "RunInstances", "GB", dec{9, 2}, shRandom)
		b.set(cToLocation, "External")
		b.set(cTransferType, "AWS Outbound")
		b.set(cDescription, "$0.09 per GB - first 10 TB / month data transfer out beyond the global free tier")
	}
	b.m.hi, b.m.us = 5_000_000_000_000, 12
	b.resource("i-0" + hexID(b.r, 16))
	b.tag()
}

func s3Requests(b *mb, acct int) {
	reg := b.region()
	b.start(litUsage, sS3, reg, acct)
	b.set(cProductFamily, "API Request")
	if rnd(b.r, 2) == 0 {
		b.usage(reg.short+"Requests-Tier1", "PutObject", "Requests", dec{5, 6}, shCount)
		b.set(cDescription, "$0.005 per 1,000 PUT, COPY, POST, or LIST requests")
		b.m.hi = 3000
	} else {
		b.usage(reg.short+"Requests-Tier2", "GetObject", "Requests", dec{4, 7}, shCount)
		b.set(cDescription, "$0.0004 per 1,000 GET and all other requests")
		b.m.hi = 40000
	}
	b.resource("arn:aws:s3:::" + b.name())
	b.tag()
}

func (b *mb) database(l lit, acct int, it itype, reg *region) {
	b.start(l, sRDS, reg, acct)
	b.usage(reg.short+"InstanceUsage:"+it.name, "CreateDBInstance:0014", "Hrs", regional(it.rate, reg), shHour)
	b.set(cProductFamily, "Database Instance")
	b.set(cDatabaseEngine, "PostgreSQL")
	b.set(cInstanceType, it.name)
	b.set(cInstanceFamily, it.family)
	b.set(cVcpu, it.vcpu)
	b.set(cMemory, it.mem)
	b.m.nf = it.nf
	b.az()
	b.resource(b.arn("rds", "db:"+b.name()))
	b.tag()
}

func rdsOnDemand(b *mb, acct int) {
	it := pick(b.r, rdsTypes)
	b.database(litUsage, acct, it, b.region())
	b.set(cDescription, "USD "+fmtRate(b.m.rate)+" per RDS "+it.name+" Single-AZ instance hour (or partial hour) running PostgreSQL")
}

func rdsReserved(b *mb, acct int) {
	ri := &b.g.ris[1]
	b.database(litDiscounted, acct, ri.itype, &regions[ri.region])
	b.reserved(1, "USD 0.0 per RDS "+ri.itype.name+" Single-AZ instance hour (or partial hour) running PostgreSQL, reserved instance applied")
}

func (b *mb) function(l lit, acct int) {
	reg := b.region()
	b.start(l, sLambda, reg, acct)
	b.set(cProductFamily, "Serverless")
	b.resource(b.arn("lambda", "function:"+b.name()))
	b.tag()
}

func lambdaCompute(b *mb, acct int) {
	b.function(litUsage, acct)
	b.lambdaGBSeconds()
}

func (b *mb) lambdaGBSeconds() {
	rate := regional(dec{166667, 10}, b.reg)
	b.usage(b.reg.short+"Lambda-GB-Second", "Invoke", "Lambda-GB-Second", rate, shRandom)
	b.m.hi, b.m.us = 3_600_000, 3
	b.set(cDescription, "AWS Lambda - Total Compute - "+b.reg.location+", per GB-second")
}

func lambdaSavingsPlan(b *mb, acct int) {
	b.function(litSPCovered, acct)
	b.lambdaGBSeconds()
	b.savingsPlan()
}

func lambdaRequests(b *mb, acct int) {
	b.function(litUsage, acct)
	b.usage(b.reg.short+"Request", "Invoke", "Requests", dec{2, 7}, shCount)
	b.m.hi = 50000
	b.set(cDescription, "AWS Lambda - Total Requests - "+b.reg.location)
}

func cloudWatch(b *mb, acct int) {
	reg := b.region()
	b.start(litUsage, sCloudWatch, reg, acct)
	if rnd(b.r, 2) == 0 {
		b.usage(reg.short+"CW:MetricMonitorUsage", "MetricStorage", "Metrics", dec{3, 1}, shStorage)
		b.m.lo, b.m.us = 10+rnd(b.r, 500), 10
		b.set(cProductFamily, "Metric")
		b.set(cDescription, "$0.30 per metric-month - first 10,000 metrics")
	} else {
		b.usage(reg.short+"DataProcessing-Bytes", "PutLogEvents", "GB", dec{5, 1}, shRandom)
		b.m.hi, b.m.us = 2_000_000_000_000_000, 15
		b.set(cProductFamily, "Data Payload")
		b.set(cDescription, "$0.50 per GB - Standard Log Data Ingestion")
		b.resource(b.arn("logs", "log-group:/aws/lambda/"+b.name()))
	}
	b.tag()
}

func dynamoDB(b *mb, acct int) {
	reg := b.region()
	b.start(litUsage, sDynamoDB, reg, acct)
	switch rnd(b.r, 3) {
	case 0:
		b.usage(reg.short+"TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", dec{25, 2}, shStorage)
		b.m.lo, b.m.us = 1+rnd(b.r, 500), 14
		b.set(cProductFamily, "Database Storage")
		b.set(cDescription, "$0.25 per GB-Month of storage used beyond first 25 free GB-Months")
	case 1:
		b.usage(reg.short+"ReadRequestUnits", "PayPerRequestThroughput", "ReadRequestUnits", dec{125, 9}, shCount)
		b.m.hi = 200000
		b.set(cProductFamily, "Amazon DynamoDB PayPerRequest Throughput")
		b.set(cDescription, "$0.125 per million read request units ("+reg.location+")")
	default:
		b.usage(reg.short+"WriteRequestUnits", "PayPerRequestThroughput", "WriteRequestUnits", dec{625, 9}, shCount)
		b.m.hi = 80000
		b.set(cProductFamily, "Amazon DynamoDB PayPerRequest Throughput")
		b.set(cDescription, "$0.625 per million write request units ("+reg.location+")")
	}
	b.resource(b.arn("dynamodb", "table/"+b.name()))
	b.tag()
}

func natGateway(b *mb, acct int) {
	reg := b.region()
	b.start(litUsage, sEC2, reg, acct)
	rate := regional(dec{45, 3}, reg)
	b.usage(reg.short+"NatGateway-Hours", "NatGateway", "Hrs", rate, shHour)
	b.m.lo = 1 // always whole hours
	b.set(cProductFamily, "NAT Gateway")
	b.set(cDescription, "$"+fmtRate(rate)+" per NAT Gateway Hour")
	b.resource(b.arn("ec2", "natgateway/nat-0"+hexID(b.r, 16)))
	b.tag()
}

func publicIPv4(b *mb, acct int) {
	reg := b.region()
	b.start(litUsage, sVPC, reg, acct)
	b.usage(reg.long+"-PublicIPv4:InUseAddress", "AssociateAddressVPC", "Hrs", dec{5, 3}, shHour)
	b.m.lo = 1
	b.set(cProductFamily, "VPC Public IPv4 Address")
	b.set(cDescription, "$0.005 per In-use public IPv4 address per hour")
	b.resource("eipalloc-0" + hexID(b.r, 16))
	b.tag()
}

func marketplace(b *mb, acct int) {
	b.start(litUsage, sMarketplace, &regions[0], acct)
	b.m.entity, b.m.edp = entityMP, false
	b.set(cBillingEntity, "AWS Marketplace")
	b.set(cLegalEntity, mpSeller)
	b.usage("USE1-MP:HostHours", "", "Hosts", dec{3, 2}, shCount)
	b.m.lo, b.m.hi = 1, 40
	b.set(cServicecode, "")
	b.set(cDescription, "Acme Observability Pro - Infrastructure hosts, per host-hour")
}

func costExplorer(b *mb, acct int) {
	b.start(litUsage, sCostExplorer, &regions[0], acct)
	b.usage("USE1-APIRequest", "GetCostAndUsage", "Requests", dec{1, 2}, shCount)
	b.m.hi = 20
	b.set(cDescription, "$0.01 per Cost Explorer API Request")
}
