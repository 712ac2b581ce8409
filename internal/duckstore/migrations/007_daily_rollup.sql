-- A daily rollup of cost_rows, and account names from the catalog.
--
-- cost_daily sums cost_rows by load, billing period, day, dimension set and
-- tag set: every column a query groups or filters by except the resource
-- and the description, which are the ones with a distinct value on almost
-- every row. A real CUR has 24 hourly rows per resource and day, so it is
-- tens of times smaller than cost_rows; the query compiler reads it
-- whenever the query touches neither ResourceId nor ChargeDescription. It
-- is written in the transaction of each load, from that load's rows, and
-- deleted with them, so it always sums exactly what cost_rows holds. Its
-- columns have cost_rows' names, so that one compiled query reads either.
CREATE TABLE cost_daily (
    load_id            BIGINT NOT NULL,
    dim_id             BIGINT NOT NULL,
    tag_set_id         BIGINT NOT NULL,
    BillingPeriodStart TIMESTAMP NOT NULL,
    ChargePeriodStart  TIMESTAMP NOT NULL, -- the day, at midnight UTC
    BilledCost         DECIMAL(38,18) NOT NULL,
    PricingQuantity    DECIMAL(38,18),
    d_unblended        DECIMAL(38,18) NOT NULL,
    d_effective        DECIMAL(38,18) NOT NULL,
    d_list             DECIMAL(38,18) NOT NULL,
    consumed           DECIMAL(38,18) NOT NULL
);

INSERT INTO cost_daily
SELECT load_id, dim_id, tag_set_id, BillingPeriodStart, date_trunc('day', ChargePeriodStart),
       sum(BilledCost), sum(PricingQuantity), sum(d_unblended), sum(d_effective), sum(d_list), sum(consumed)
FROM cost_rows
GROUP BY ALL
ORDER BY 4, 5, 2;

-- cost_daily_resources is the same by resource too: it answers the
-- queries that group or filter by ResourceId (a top-10 of resources over a
-- year). A real CUR has a row per resource and hour, so it is about 24
-- times smaller than cost_rows; on data with a distinct resource on every
-- row it is as large, and costs a load that much more.
CREATE TABLE cost_daily_resources (
    load_id            BIGINT NOT NULL,
    dim_id             BIGINT NOT NULL,
    tag_set_id         BIGINT NOT NULL,
    resource_key       BIGINT NOT NULL,
    BillingPeriodStart TIMESTAMP NOT NULL,
    ChargePeriodStart  TIMESTAMP NOT NULL,
    BilledCost         DECIMAL(38,18) NOT NULL,
    PricingQuantity    DECIMAL(38,18),
    d_unblended        DECIMAL(38,18) NOT NULL,
    d_effective        DECIMAL(38,18) NOT NULL,
    d_list             DECIMAL(38,18) NOT NULL,
    consumed           DECIMAL(38,18) NOT NULL
);

INSERT INTO cost_daily_resources
SELECT load_id, dim_id, tag_set_id, resource_key, BillingPeriodStart, date_trunc('day', ChargePeriodStart),
       sum(BilledCost), sum(PricingQuantity), sum(d_unblended), sum(d_effective), sum(d_list), sum(consumed)
FROM cost_rows
GROUP BY ALL
ORDER BY 5, 6, 2;

-- cost_monthly and cost_monthly_resources are the same by month, summed
-- from the daily ones: a query over whole months (a monthly or total answer
-- from the first of a month to the first of another, or over everything)
-- reads them, tens of times smaller again.
CREATE TABLE cost_monthly AS SELECT * FROM cost_daily LIMIT 0;
CREATE TABLE cost_monthly_resources AS SELECT * FROM cost_daily_resources LIMIT 0;

INSERT INTO cost_monthly
SELECT load_id, dim_id, tag_set_id, BillingPeriodStart, date_trunc('month', ChargePeriodStart),
       sum(BilledCost), sum(PricingQuantity), sum(d_unblended), sum(d_effective), sum(d_list), sum(consumed)
FROM cost_daily
GROUP BY ALL
ORDER BY 4, 5, 2;

INSERT INTO cost_monthly_resources
SELECT load_id, dim_id, tag_set_id, resource_key, BillingPeriodStart, date_trunc('month', ChargePeriodStart),
       sum(BilledCost), sum(PricingQuantity), sum(d_unblended), sum(d_effective), sum(d_list), sum(consumed)
FROM cost_daily_resources
GROUP BY ALL
ORDER BY 5, 6, 2;

-- unrolled_loads are the loads whose rows have no rollups: those of 65,536
-- rows or more with fewer than 8 rows per resource or per tag set (a distinct resource or tag
-- value on every row), where the rollups would be as large as the rows and
-- cost a load as much again. A query reads their rows from cost_rows
-- beside the rollups of the others.
CREATE TABLE unrolled_loads (load_id BIGINT NOT NULL);

-- named_dims is dims with the account names a source left empty filled
-- from the catalog: a legacy CUR has no account names, but Organizations,
-- Azure or an admin may have named the scope. Scope IDs are
-- aws/accounts/<id>, azure/subscriptions/<guid> (lower case) and
-- aws/billing/<payer>.
CREATE VIEW named_dims AS
SELECT d.* EXCLUDE (SubAccountName, BillingAccountName),
       coalesce(nullif(d.SubAccountName, ''), sub.name) AS SubAccountName,
       coalesce(nullif(d.BillingAccountName, ''), bill.name) AS BillingAccountName
FROM dims d
LEFT JOIN scopes sub ON sub.id = CASE WHEN regexp_full_match(d.SubAccountId, '[0-9]{12}')
    THEN 'aws/accounts/' || d.SubAccountId ELSE 'azure/subscriptions/' || lower(d.SubAccountId) END
LEFT JOIN scopes bill ON bill.id = 'aws/billing/' || d.BillingAccountId;
