-- Keys scoped to the load that wrote them, so that no load or query ever
-- needs every distinct value of the store in memory.
--
-- Before: dims, tag_sets and resources held each distinct value once for the
-- whole store, and a load kept all of them in memory to find ids: a CUR with
-- a distinct description on every row took 13 GB. Now each load numbers the
-- values it writes itself, key = load_id << 32 | n, remembering only a
-- bounded number of recent ones; a value may then be stored more than once
-- (queries group by the value, not the key), and a load's values go when no
-- billing period holds the load any more. The description, the column most
-- often distinct per row, moves out of dims into its own table.
--
-- Keys below 2^32 are from stores written before this migration (load 0).
DROP VIEW focus_rows;

CREATE TABLE descriptions (
    description_key   BIGINT NOT NULL,
    ChargeDescription VARCHAR NOT NULL
);
INSERT INTO descriptions SELECT dim_id, ChargeDescription FROM dims WHERE ChargeDescription IS NOT NULL;

CREATE TABLE cost_rows_v4 (
    load_id            BIGINT NOT NULL,
    dim_id             BIGINT NOT NULL,
    description_key    BIGINT NOT NULL,
    tag_set_id         BIGINT NOT NULL,
    resource_key       BIGINT NOT NULL,
    BillingPeriodStart TIMESTAMP NOT NULL,
    BillingPeriodEnd   TIMESTAMP NOT NULL,
    ChargePeriodStart  TIMESTAMP NOT NULL,
    ChargePeriodEnd    TIMESTAMP NOT NULL,
    BilledCost         DECIMAL(38,18) NOT NULL,
    PricingQuantity    DECIMAL(38,18),
    d_unblended        DECIMAL(38,18) NOT NULL,
    d_effective        DECIMAL(38,18) NOT NULL,
    d_list             DECIMAL(38,18) NOT NULL,
    d_blended          DECIMAL(38,18) NOT NULL,
    consumed           DECIMAL(38,18) NOT NULL
);
INSERT INTO cost_rows_v4
SELECT f.load_id, f.dim_id, CASE WHEN d.ChargeDescription IS NULL THEN 0 ELSE f.dim_id END,
       f.tag_set_id, f.resource_key, f.BillingPeriodStart, f.BillingPeriodEnd, f.ChargePeriodStart, f.ChargePeriodEnd,
       f.BilledCost, f.PricingQuantity, f.d_unblended, f.d_effective, f.d_list, f.d_blended, f.consumed
FROM cost_rows f JOIN dims d USING (dim_id);
DROP TABLE cost_rows;
ALTER TABLE cost_rows_v4 RENAME TO cost_rows;

ALTER TABLE dims DROP COLUMN ChargeDescription;
ALTER TABLE dims DROP COLUMN dim_key;
ALTER TABLE dims ALTER COLUMN dim_id TYPE BIGINT;
ALTER TABLE tag_sets ALTER COLUMN tag_set_id TYPE BIGINT;
ALTER TABLE resources ALTER COLUMN resource_key TYPE BIGINT;

CREATE VIEW focus_rows AS
SELECT
    d.ProviderName, d.PublisherName, d.InvoiceIssuerName, d.InvoiceId,
    d.BillingAccountId, d.BillingAccountName, d.SubAccountId, d.SubAccountName,
    f.BillingPeriodStart, f.BillingPeriodEnd, f.ChargePeriodStart, f.ChargePeriodEnd,
    d.ChargeCategory, d.ChargeClass, d.ChargeFrequency, ds.ChargeDescription, d.PricingCategory,
    f.BilledCost,
    f.BilledCost + f.d_unblended + f.d_effective AS EffectiveCost,
    f.BilledCost + f.d_unblended + f.d_list AS ListCost,
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
    f.load_id AS x_LoadId
FROM cost_rows f
JOIN dims d USING (dim_id)
LEFT JOIN descriptions ds USING (description_key)
LEFT JOIN tag_sets t USING (tag_set_id)
LEFT JOIN resources r USING (resource_key);

-- One truth per billing account and period: which account a version bills,
-- so that a single file and a bucket of the same payer cannot both count.
ALTER TABLE report_versions ADD COLUMN billing_account VARCHAR;
UPDATE report_versions SET billing_account = nullif(regexp_extract(source, '^aws-cur/([0-9]{12})(/|$)', 1), '');
