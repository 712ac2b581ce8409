-- Cost rows in FOCUS 1.2 columns, stored as a star: the columns that repeat
-- from row to row (accounts, service, region, usage type, charge category…)
-- live once in dims, the tag sets once in tag_sets, and each cost row keeps
-- only its ids, times, resource and amounts. A real CUR repeats the same few
-- thousand combinations millions of times; storing them once makes loading
-- several times faster than a flat table. Resource IDs are numbered the same
-- way (resources). focus_rows joins them back into the
-- flat FOCUS table.
--
-- Money and quantities are DECIMAL(38,18): exact, 18 places (internal/decimal).
-- Timestamps are UTC.
CREATE SEQUENCE load_ids START 1;

CREATE TABLE dims (
    dim_id                 INTEGER NOT NULL,
    dim_key                VARCHAR NOT NULL,
    ProviderName           VARCHAR NOT NULL,
    PublisherName          VARCHAR,
    InvoiceIssuerName      VARCHAR,
    InvoiceId              VARCHAR,
    BillingAccountId       VARCHAR NOT NULL,
    BillingAccountName     VARCHAR,
    SubAccountId           VARCHAR,
    SubAccountName         VARCHAR,
    ChargeCategory         VARCHAR NOT NULL,
    ChargeClass            VARCHAR,
    ChargeFrequency        VARCHAR,
    ChargeDescription      VARCHAR,
    PricingCategory        VARCHAR,
    BillingCurrency        VARCHAR NOT NULL,
    ServiceName            VARCHAR,
    ServiceCategory        VARCHAR,
    RegionId               VARCHAR,
    RegionName             VARCHAR,
    AvailabilityZone       VARCHAR,
    ResourceType           VARCHAR,
    PricingUnit            VARCHAR,
    ConsumedUnit           VARCHAR,
    CommitmentDiscountId   VARCHAR,
    CommitmentDiscountType VARCHAR,
    x_ServiceCode          VARCHAR,
    x_UsageType            VARCHAR,
    x_Operation            VARCHAR,
    x_LineItemType         VARCHAR,
    x_CostCategories       VARCHAR, -- JSON text, as Reckon wrote it
    consumed_kind          TINYINT NOT NULL -- 0: no ConsumedQuantity, 1: = PricingQuantity, 2: cost_rows.consumed
);

CREATE TABLE tag_sets (
    tag_set_id INTEGER NOT NULL,
    Tags       VARCHAR NOT NULL -- JSON text, as Reckon wrote it
);

CREATE TABLE resources (
    resource_key INTEGER NOT NULL,
    ResourceId   VARCHAR NOT NULL
);

-- Amounts that usually equal another are stored as the difference from it,
-- which is mostly 0 and costs DuckDB almost nothing to store:
--   x_UnblendedCost = BilledCost + d_unblended
--   EffectiveCost   = x_UnblendedCost + d_effective
--   ListCost        = x_UnblendedCost + d_list
--   x_BlendedCost   = x_UnblendedCost + d_blended
-- consumed holds ConsumedQuantity only when dims.consumed_kind is 2 (1: it
-- equals PricingQuantity, 0: there is none), else 0. tag_set_id and
-- resource_key are 0 for none. focus_rows and the query compiler undo this.
CREATE TABLE cost_rows (
    load_id            BIGINT NOT NULL,
    dim_id             INTEGER NOT NULL,
    tag_set_id         INTEGER NOT NULL,
    resource_key       INTEGER NOT NULL,
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

-- The version of each (source, billing period) whose rows are in cost_rows.
-- A load replaces a period's rows and this record in one transaction.
CREATE TABLE report_versions (
    source               VARCHAR NOT NULL,
    billing_period_start TIMESTAMP NOT NULL,
    billing_period_end   TIMESTAMP NOT NULL,
    version              VARCHAR NOT NULL,
    load_id              BIGINT NOT NULL,
    row_count            BIGINT NOT NULL,
    billed_cost          DECIMAL(38,18) NOT NULL,
    origin               VARCHAR,
    loaded_at            TIMESTAMP NOT NULL
);

CREATE VIEW focus_rows AS
SELECT
    d.ProviderName, d.PublisherName, d.InvoiceIssuerName, d.InvoiceId,
    d.BillingAccountId, d.BillingAccountName, d.SubAccountId, d.SubAccountName,
    f.BillingPeriodStart, f.BillingPeriodEnd, f.ChargePeriodStart, f.ChargePeriodEnd,
    d.ChargeCategory, d.ChargeClass, d.ChargeFrequency, d.ChargeDescription, d.PricingCategory,
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
LEFT JOIN tag_sets t USING (tag_set_id)
LEFT JOIN resources r USING (resource_key);
