-- Cost rows in FOCUS 1.2 columns, stored as a star: the columns that repeat
-- from row to row (accounts, service, region, usage type, charge category…)
-- live once in dims, the tag sets once in tag_sets, and each cost row keeps
-- only its ids, times, resource and amounts. A real CUR repeats the same few
-- thousand combinations millions of times; storing them once makes loading
-- several times faster than a flat table. focus_rows joins them back into the
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
    x_CostCategories       JSON
);

CREATE TABLE tag_sets (
    tag_set_id INTEGER NOT NULL,
    Tags       JSON NOT NULL
);

CREATE TABLE cost_rows (
    load_id            BIGINT NOT NULL,
    dim_id             INTEGER NOT NULL,
    tag_set_id         INTEGER,
    BillingPeriodStart TIMESTAMP NOT NULL,
    BillingPeriodEnd   TIMESTAMP NOT NULL,
    ChargePeriodStart  TIMESTAMP NOT NULL,
    ChargePeriodEnd    TIMESTAMP NOT NULL,
    ResourceId         VARCHAR,
    BilledCost         DECIMAL(38,18) NOT NULL,
    EffectiveCost      DECIMAL(38,18) NOT NULL,
    ListCost           DECIMAL(38,18) NOT NULL,
    PricingQuantity    DECIMAL(38,18),
    ConsumedQuantity   DECIMAL(38,18),
    x_UnblendedCost    DECIMAL(38,18),
    x_BlendedCost      DECIMAL(38,18)
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
    f.BilledCost, f.EffectiveCost, f.ListCost, d.BillingCurrency,
    d.ServiceName, d.ServiceCategory, d.RegionId, d.RegionName, d.AvailabilityZone,
    f.ResourceId, d.ResourceType,
    f.PricingQuantity, d.PricingUnit, f.ConsumedQuantity, d.ConsumedUnit,
    d.CommitmentDiscountId, d.CommitmentDiscountType,
    t.Tags,
    d.x_ServiceCode, d.x_UsageType, d.x_Operation, d.x_LineItemType,
    f.x_UnblendedCost, f.x_BlendedCost, d.x_CostCategories,
    f.load_id AS x_LoadId
FROM cost_rows f
JOIN dims d USING (dim_id)
LEFT JOIN tag_sets t USING (tag_set_id);
