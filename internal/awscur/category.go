package awscur

import (
	"strings"

	"github.com/reckon-finops/reckon/internal/cost"
)

// chargeCategory maps lineItem/LineItemType to FOCUS ChargeCategory, as
// AWS's own FOCUS export does (aws-facts.md). Credits are Credit, not
// Adjustment as pre-1.0 converters had it. An unknown type is Usage: AWS adds
// discount types from time to time, and they all net against usage.
func chargeCategory(lineItemType string) string {
	switch lineItemType {
	case "Tax":
		return cost.ChargeTax
	case "Fee", "RIFee", "SavingsPlanUpfrontFee", "SavingsPlanRecurringFee":
		return cost.ChargePurchase
	case "Credit":
		return cost.ChargeCredit
	case "Refund":
		return cost.ChargeAdjustment
	}
	return cost.ChargeUsage
}

// chargeFrequency maps lineItem/LineItemType to FOCUS ChargeFrequency.
func chargeFrequency(lineItemType string) string {
	switch lineItemType {
	case "RIFee", "SavingsPlanRecurringFee", "Tax":
		return "Recurring"
	case "Fee", "SavingsPlanUpfrontFee", "Credit", "Refund":
		return "One-Time"
	}
	return "Usage-Based"
}

// pricingCategory maps the pricing term and line item type to FOCUS
// PricingCategory; it is null for taxes, credits and adjustments.
func pricingCategory(category, lineItemType, term, usageType string) string {
	switch {
	case category != cost.ChargeUsage && category != cost.ChargePurchase:
		return ""
	case lineItemType == "DiscountedUsage" || lineItemType == "SavingsPlanCoveredUsage" || term == "Reserved":
		return "Committed"
	case term == "OnDemand":
		return "Standard"
	case term == "Spot" || strings.Contains(usageType, "SpotUsage"):
		// Spot rows often have no term; their usage type says SpotUsage.
		return "Dynamic"
	case category == cost.ChargePurchase:
		return "Committed"
	}
	return "Other"
}

// serviceCategories maps lineItem/ProductCode to FOCUS 1.2 ServiceCategory.
// Sources: the FOCUS converters' AWS category table and AWS's own FOCUS
// sample export, checked against the codes AWS really uses (AWSQueueService,
// awskms, AmazonStates, AmazonES).
var serviceCategories = map[string]string{
	"AmazonEC2": "Compute", "AWSLambda": "Compute", "AmazonECS": "Compute", "AmazonEKS": "Compute",
	"AmazonECR": "Compute", "AmazonLightsail": "Compute", "ComputeSavingsPlans": "Compute",
	"AWSBatch": "Compute", "AWSElasticBeanstalk": "Compute", "AmazonWorkSpaces": "Compute",
	"AmazonS3": "Storage", "AmazonEFS": "Storage", "AWSBackup": "Storage", "AmazonGlacier": "Storage",
	"AmazonFSx": "Storage", "AWSStorageGateway": "Storage",
	"AmazonRDS": "Databases", "AmazonDynamoDB": "Databases", "AmazonElastiCache": "Databases",
	"AmazonRedshift": "Databases", "AmazonDocDB": "Databases", "AmazonNeptune": "Databases",
	"AmazonMemoryDB": "Databases", "AmazonTimestream": "Databases",
	"AWSDataTransfer": "Networking", "AmazonVPC": "Networking", "AWSELB": "Networking",
	"AmazonRoute53": "Networking", "AmazonCloudFront": "Networking", "AmazonApiGateway": "Networking",
	"AWSDirectConnect": "Networking", "AWSGlobalAccelerator": "Networking", "AWSTransitGateway": "Networking",
	"AmazonCloudWatch": "Management and Governance", "AWSCloudTrail": "Management and Governance",
	"AWSConfig": "Management and Governance", "AWSCostExplorer": "Management and Governance",
	"AWSSystemsManager": "Management and Governance", "AWSCloudFormation": "Management and Governance",
	"AWSSupportBusiness": "Management and Governance", "AWSSupportDeveloper": "Management and Governance",
	"AWSSupportEnterprise": "Management and Governance", "OCBPremiumSupport": "Management and Governance",
	"awskms": "Security", "AWSSecretsManager": "Security", "AmazonGuardDuty": "Security",
	"AWSShield": "Security", "AWSWAF": "Security", "AmazonInspector": "Security",
	"AWSSecurityHub": "Security", "AmazonMacie": "Security", "AWSCertificateManager": "Security",
	"AmazonCognito": "Identity", "AWSDirectoryService": "Identity",
	"AmazonSNS": "Integration", "AWSQueueService": "Integration", "AmazonStates": "Integration",
	"AWSEvents": "Integration", "AmazonMQ": "Integration", "AmazonSES": "Integration",
	"AWSGlue": "Analytics", "AmazonAthena": "Analytics", "AmazonKinesis": "Analytics",
	"AmazonKinesisFirehose": "Analytics", "AmazonMSK": "Analytics", "AmazonES": "Analytics",
	"AmazonQuickSight": "Analytics", "ElasticMapReduce": "Analytics",
	"AmazonSageMaker": "AI and Machine Learning", "AmazonBedrock": "AI and Machine Learning",
	"AmazonRekognition": "AI and Machine Learning", "AmazonTextract": "AI and Machine Learning",
	"AmazonComprehend": "AI and Machine Learning", "AmazonPolly": "AI and Machine Learning",
	"transcribe": "AI and Machine Learning", "translate": "AI and Machine Learning",
	"AWSCodeBuild": "Developer Tools", "AWSCodePipeline": "Developer Tools", "AWSCodeArtifact": "Developer Tools",
	"AWSCloud9": "Developer Tools", "AWSXRay": "Developer Tools",
	"AWSIoT": "Internet of Things", "AWSIoTAnalytics": "Internet of Things",
	"AWSElementalMediaConvert": "Media", "AmazonIVS": "Media",
	"AWSDatabaseMigrationSvc": "Migration", "AWSMigrationHub": "Migration", "AWSTransfer": "Migration",
	"AWSAmplify": "Web", "AmazonConnect": "Business Applications", "AmazonChime": "Business Applications",
}

// serviceCategory returns the FOCUS ServiceCategory of a row. EBS usage is
// billed under AmazonEC2 but is storage, as AWS's FOCUS export files it, and
// EC2's data transfer and NAT gateways are networking.
func serviceCategory(productCode, usageType string) string {
	if productCode == "AmazonEC2" {
		switch {
		case strings.Contains(usageType, "EBS:"):
			return "Storage"
		case strings.Contains(usageType, "DataTransfer"), strings.Contains(usageType, "NatGateway"):
			return "Networking" // billed under EC2, as AWSDataTransfer is
		}
	}
	if c, ok := serviceCategories[productCode]; ok {
		return c
	}
	return "Other"
}
