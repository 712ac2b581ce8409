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

-- Amounts that usually equal another are stored as NULL when they do, which
-- DuckDB stores for almost nothing: unblended (NULL: = BilledCost),
-- effective, list and blended (NULL: = the unblended cost). consumed holds a
-- ConsumedQuantity only when dims.consumed_kind is 2 (1: = PricingQuantity,
-- 0: none). focus_rows and the query compiler undo this.
CREATE TABLE cost_rows (
    load_id            BIGINT NOT NULL,
    dim_id             INTEGER NOT NULL,
    tag_set_id         INTEGER,
    resource_key       INTEGER,
    BillingPeriodStart TIMESTAMP NOT NULL,
    BillingPeriodEnd   TIMESTAMP NOT NULL,
    ChargePeriodStart  TIMESTAMP NOT NULL,
    ChargePeriodEnd    TIMESTAMP NOT NULL,
    BilledCost         DECIMAL(38,18) NOT NULL,
    PricingQuantity    DECIMAL(38,18),
    unblended          DECIMAL(38,18),
    effective          DECIMAL(38,18),
    list               DECIMAL(38,18),
    blended            DECIMAL(38,18),
    consumed           DECIMAL(38,18)
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
    coalesce(f.effective, f.unblended, f.BilledCost) AS EffectiveCost,
    coalesce(f.list, f.unblended, f.BilledCost) AS ListCost,
    d.BillingCurrency,
    d.ServiceName, d.ServiceCategory, d.RegionId, d.RegionName, d.AvailabilityZone,
    r.ResourceId, d.ResourceType,
    f.PricingQuantity, d.PricingUnit,
    CASE d.consumed_kind WHEN 1 THEN f.PricingQuantity WHEN 2 THEN f.consumed END AS ConsumedQuantity,
    d.ConsumedUnit,
    d.CommitmentDiscountId, d.CommitmentDiscountType,
    CAST(t.Tags AS JSON) AS Tags,
    d.x_ServiceCode, d.x_UsageType, d.x_Operation, d.x_LineItemType,
    coalesce(f.unblended, f.BilledCost) AS x_UnblendedCost,
    coalesce(f.blended, f.unblended, f.BilledCost) AS x_BlendedCost,
    CAST(d.x_CostCategories AS JSON) AS x_CostCategories,
    f.load_id AS x_LoadId
FROM cost_rows f
JOIN dims d USING (dim_id)
LEFT JOIN tag_sets t USING (tag_set_id)
LEFT JOIN resources r USING (resource_key);
