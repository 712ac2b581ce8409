package cost

// The allowed values of the FOCUS 1.2 columns with an enumeration that a
// Row holds, as the specification spells them (specification/columns/*.md
// at tag v1.2). Writers of FOCUS files check a row against them rather than
// write a value FOCUS does not allow.
var (
	ChargeCategories  = []string{ChargeUsage, ChargePurchase, ChargeTax, ChargeCredit, ChargeAdjustment}
	ChargeClasses     = []string{"Correction"}
	ChargeFrequencies = []string{"One-Time", "Recurring", "Usage-Based"}
	PricingCategories = []string{"Standard", "Dynamic", "Committed", "Other"}
	ServiceCategories = []string{
		"AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases",
		"Developer Tools", "Multicloud", "Identity", "Integration", "Internet of Things",
		"Management and Governance", "Media", "Migration", "Mobile", "Networking", "Security",
		"Storage", "Web", "Other",
	}
)
