-- FOCUS ContractedCost and the x_ columns of other sources.
--
-- ContractedCost is stored as its difference from x_UnblendedCost, mostly
-- 0 (a CUR has no negotiated price of its own: its unblended cost stands
-- for it). The x_ columns a source writes that Reckon has no column for
-- (Microsoft's x_SkuMeterCategory, a FOCUS file's x_ extensions) are kept
-- as one JSON object per row in dims.x_Extra: they repeat as the other
-- dimensions do.
ALTER TABLE cost_rows ADD COLUMN d_contracted DECIMAL(38,18) DEFAULT 0;
ALTER TABLE dims ADD COLUMN x_Extra VARCHAR;

DROP VIEW focus_rows;
CREATE VIEW focus_rows AS
SELECT
    d.ProviderName, d.PublisherName, d.InvoiceIssuerName, d.InvoiceId,
    d.BillingAccountId, d.BillingAccountName, d.SubAccountId, d.SubAccountName,
    f.BillingPeriodStart, f.BillingPeriodEnd, f.ChargePeriodStart, f.ChargePeriodEnd,
    d.ChargeCategory, d.ChargeClass, d.ChargeFrequency, ds.ChargeDescription, d.PricingCategory,
    f.BilledCost,
    f.BilledCost + f.d_unblended + f.d_effective AS EffectiveCost,
    f.BilledCost + f.d_unblended + f.d_list AS ListCost,
    f.BilledCost + f.d_unblended + f.d_contracted AS ContractedCost,
    d.BillingCurrency,
    d.ServiceName, d.ServiceCategory, d.RegionId, d.RegionName, d.AvailabilityZone,
    r.ResourceId, d.ResourceType,
    f.PricingQuantity, d.PricingUnit,
    CASE d.consumed_kind WHEN 1 THEN f.PricingQuantity WHEN 2 THEN f.consumed END AS ConsumedQuantity,
    d.ConsumedUnit,
    d.CommitmentDiscountId, d.CommitmentDiscountType,
    CAST(t.Tags AS JSON) AS Tags,
    d.x_ServiceCode, d.x_UsageType, d.x_Operation, d.x_LineItemType,
    f.BilledCost + f.d_unblended AS x_UnblendedCost,
    f.BilledCost + f.d_unblended + f.d_blended AS x_BlendedCost,
    CAST(d.x_CostCategories AS JSON) AS x_CostCategories,
    CAST(d.x_Extra AS JSON) AS x_Extra,
    f.load_id AS x_LoadId
FROM cost_rows f
JOIN dims d USING (dim_id)
LEFT JOIN descriptions ds USING (description_key)
LEFT JOIN tag_sets t USING (tag_set_id)
LEFT JOIN resources r USING (resource_key);

-- Azure billing accounts are scopes too (azure/billingAccounts/<id>).
DROP VIEW named_dims;
CREATE VIEW named_dims AS
SELECT d.* EXCLUDE (SubAccountName, BillingAccountName),
       coalesce(nullif(d.SubAccountName, ''), sub.name) AS SubAccountName,
       coalesce(nullif(d.BillingAccountName, ''), bill.name) AS BillingAccountName
FROM dims d
LEFT JOIN scopes sub ON sub.id = CASE WHEN regexp_full_match(d.SubAccountId, '[0-9]{12}')
    THEN 'aws/accounts/' || d.SubAccountId ELSE 'azure/subscriptions/' || lower(d.SubAccountId) END
LEFT JOIN scopes bill ON bill.id = CASE WHEN d.ProviderName = 'Microsoft'
    THEN 'azure/billingAccounts/' || d.BillingAccountId ELSE 'aws/billing/' || d.BillingAccountId END;
