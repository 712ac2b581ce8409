package azexport

import (
	"github.com/reckon-finops/reckon/internal/cost"
)

// chargeCategory maps ChargeType to a FOCUS 1.2 ChargeCategory. A Refund
// (of a reservation or savings plan purchase) is a negative Purchase: FOCUS
// defines Purchase as "positive or negative charges for the acquisition of a
// service or resource bought upfront or on a recurring basis including
// refunds". Unused reservation and savings plan hours are Usage of the
// commitment, as in Microsoft's own FOCUS export. known is false for a
// value Reckon does not recognise, which becomes an Adjustment.
func chargeCategory(chargeType string) (category string, known bool) {
	switch chargeType {
	case "", "Usage", "UnusedReservation", "UnusedSavingsPlan":
		return cost.ChargeUsage, true
	case "Purchase", "Refund":
		return cost.ChargePurchase, true
	case "Tax":
		return cost.ChargeTax, true
	case "Credit":
		return cost.ChargeCredit, true
	case "RoundingAdjustment", "Adjustment":
		return cost.ChargeAdjustment, true
	}
	return cost.ChargeAdjustment, false
}

// chargeFrequency maps Frequency (UsageBased, Recurring, OneTime) to FOCUS;
// a file without the column (the older usage layout) holds usage only.
func chargeFrequency(frequency, category string) string {
	switch frequency {
	case "UsageBased":
		return "Usage-Based"
	case "Recurring":
		return "Recurring"
	case "OneTime":
		return "One-Time"
	}
	if category == cost.ChargeUsage {
		return "Usage-Based"
	}
	return "One-Time"
}

// pricingCategory maps PricingModel to FOCUS; it is empty where FOCUS wants
// none (taxes, credits, adjustments). No model means pay-as-you-go.
func pricingCategory(model, category string) string {
	if category != cost.ChargeUsage && category != cost.ChargePurchase {
		return ""
	}
	switch model {
	case "", "OnDemand":
		return "Standard"
	case "Reservation", "SavingsPlan":
		return "Committed"
	case "Spot":
		return "Dynamic"
	}
	return "Other"
}

// commitmentType names the commitment a row's PricingModel says applies,
// as Microsoft's FOCUS export does.
func commitmentType(model string) string {
	switch model {
	case "Reservation":
		return "Reservation"
	case "SavingsPlan":
		return "Savings Plan"
	}
	return ""
}

// serviceCategories maps MeterCategory to a FOCUS 1.2 ServiceCategory.
var serviceCategories = map[string]string{
	"Virtual Machines": "Compute", "Virtual Machines Licenses": "Compute", "Cloud Services": "Compute",
	"Container Instances": "Compute", "Azure Container Apps": "Compute", "Functions": "Compute", "Batch": "Compute",
	"Azure Kubernetes Service": "Compute", "Azure Spring Apps": "Compute", "Azure VMware Solution": "Compute",
	"Azure Arc": "Compute", "Virtual Machine Scale Sets": "Compute", "Container Registry": "Compute",
	"Storage": "Storage", "Backup": "Storage", "Azure NetApp Files": "Storage", "Data Box": "Storage",
	"Bandwidth": "Networking", "Virtual Network": "Networking", "Load Balancer": "Networking",
	"VPN Gateway": "Networking", "Application Gateway": "Networking", "ExpressRoute": "Networking",
	"Azure DNS": "Networking", "Network Watcher": "Networking", "Azure Front Door Service": "Networking",
	"Content Delivery Network": "Networking", "Azure Firewall": "Networking", "NAT Gateway": "Networking",
	"Traffic Manager": "Networking", "IP Addresses": "Networking", "Azure Bastion": "Networking",
	"Private Link": "Networking", "Virtual WAN": "Networking",
	"SQL Database": "Databases", "Azure Cosmos DB": "Databases", "Azure Database for MySQL": "Databases",
	"Azure Database for PostgreSQL": "Databases", "Azure Database for MariaDB": "Databases",
	"Redis Cache": "Databases", "SQL Managed Instance": "Databases", "Azure Cache for Redis": "Databases",
	"Azure Monitor": "Management and Governance", "Log Analytics": "Management and Governance",
	"Insight and Analytics": "Management and Governance", "Automation": "Management and Governance",
	"Azure Site Recovery": "Management and Governance", "Advisor": "Management and Governance",
	"Key Vault": "Security", "Microsoft Defender for Cloud": "Security", "Security Center": "Security",
	"Azure Defender": "Security", "Sentinel": "Security", "Azure Sentinel": "Security", "Azure DDOS Protection": "Security",
	"Azure Active Directory": "Identity", "Microsoft Entra ID": "Identity", "Azure Active Directory B2C": "Identity",
	"Service Bus": "Integration", "Event Grid": "Integration", "Event Hubs": "Integration",
	"Logic Apps": "Integration", "API Management": "Integration",
	"Cognitive Services": "AI and Machine Learning", "Azure Machine Learning": "AI and Machine Learning",
	"Azure OpenAI": "AI and Machine Learning", "Azure Cognitive Search": "AI and Machine Learning",
	"Azure Synapse Analytics": "Analytics", "HDInsight": "Analytics", "Azure Data Factory v2": "Analytics",
	"Azure Databricks": "Analytics", "Azure Data Explorer": "Analytics", "Power BI Embedded": "Analytics",
	"Stream Analytics": "Analytics", "Microsoft Fabric": "Analytics",
	"IoT Hub": "Internet of Things", "IoT Central": "Internet of Things", "Azure Digital Twins": "Internet of Things",
	"Azure DevOps": "Developer Tools", "Visual Studio": "Developer Tools", "Azure Load Testing": "Developer Tools",
	"Media Services": "Media", "Notification Hubs": "Mobile", "Azure Migrate": "Migration",
	"Azure App Service": "Web", "Static Web Apps": "Web", "SignalR": "Web",
}

// serviceFamilies maps ServiceFamily, Azure's own grouping, where the meter
// category is not in the table.
var serviceFamilies = map[string]string{
	"Compute": "Compute", "Containers": "Compute", "Storage": "Storage", "Networking": "Networking",
	"Databases": "Databases", "Analytics": "Analytics", "Security": "Security", "Identity": "Identity",
	"Management and Governance": "Management and Governance", "AI + Machine Learning": "AI and Machine Learning",
	"Internet of Things": "Internet of Things", "Developer Tools": "Developer Tools", "Integration": "Integration",
	"Web": "Web", "Media": "Media", "Mobile": "Mobile", "Migration": "Migration",
}

// serviceCategory is the FOCUS ServiceCategory of a row: by MeterCategory,
// else by ServiceFamily, else Other.
func serviceCategory(meterCategory, serviceFamily string) string {
	if c, ok := serviceCategories[meterCategory]; ok {
		return c
	}
	if c, ok := serviceFamilies[serviceFamily]; ok {
		return c
	}
	return "Other"
}
