-- Cost rows in FOCUS 1.2 columns, plus x_ columns for AWS detail.
-- Money and quantities are DECIMAL(38,18): exact, 18 places (see internal/decimal).
-- Timestamps are UTC.
CREATE SEQUENCE load_ids START 1;

CREATE TABLE cost_rows (
    load_id                BIGINT NOT NULL,
    ProviderName           VARCHAR NOT NULL,
    PublisherName          VARCHAR,
    InvoiceIssuerName      VARCHAR,
    InvoiceId              VARCHAR,
    BillingAccountId       VARCHAR NOT NULL,
    BillingAccountName     VARCHAR,
    SubAccountId           VARCHAR,
    SubAccountName         VARCHAR,
    BillingPeriodStart     TIMESTAMP NOT NULL,
    BillingPeriodEnd       TIMESTAMP NOT NULL,
    ChargePeriodStart      TIMESTAMP NOT NULL,
    ChargePeriodEnd        TIMESTAMP NOT NULL,
    ChargeCategory         VARCHAR NOT NULL,
    ChargeClass            VARCHAR,
    ChargeFrequency        VARCHAR,
    ChargeDescription      VARCHAR,
    PricingCategory        VARCHAR,
    BilledCost             DECIMAL(38,18) NOT NULL,
    EffectiveCost          DECIMAL(38,18) NOT NULL,
    ListCost               DECIMAL(38,18) NOT NULL,
    BillingCurrency        VARCHAR NOT NULL,
    ServiceName            VARCHAR,
    ServiceCategory        VARCHAR,
    RegionId               VARCHAR,
    RegionName             VARCHAR,
    AvailabilityZone       VARCHAR,
    ResourceId             VARCHAR,
    ResourceType           VARCHAR,
    PricingQuantity        DECIMAL(38,18),
    PricingUnit            VARCHAR,
    ConsumedQuantity       DECIMAL(38,18),
    ConsumedUnit           VARCHAR,
    CommitmentDiscountId   VARCHAR,
    CommitmentDiscountType VARCHAR,
    Tags                   JSON,
    x_ServiceCode          VARCHAR,
    x_UsageType            VARCHAR,
    x_Operation            VARCHAR,
    x_LineItemType         VARCHAR,
    x_LineItemId           VARCHAR,
    x_UnblendedCost        DECIMAL(38,18),
    x_BlendedCost          DECIMAL(38,18),
    x_CostCategories       JSON
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
