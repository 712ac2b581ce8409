-- Budgets, their alerts, anomaly subscriptions and exchange rates
-- (cost.Budget, cost.Alert, cost.AnomalySubscription, cost.ExchangeRate).
-- Money is DECIMAL: a budget's amount and a rate are columns; the rest of a
-- budget, an alert or a subscription is its JSON, whose numbers are exact
-- decimal text. An alert's key (a budget's notification in one period, or
-- one series' anomaly on one day) is unique; the evaluator checks it in the
-- transaction that writes the alert. No index, as in migration 005.
CREATE TABLE budgets (
    id       VARCHAR NOT NULL,
    scope    VARCHAR NOT NULL,
    name     VARCHAR NOT NULL,
    amount   DECIMAL(38, 18) NOT NULL,
    currency VARCHAR NOT NULL,
    body     VARCHAR NOT NULL
);
CREATE TABLE alerts (
    id      VARCHAR NOT NULL,
    kind    VARCHAR NOT NULL,
    scope   VARCHAR NOT NULL,
    state   VARCHAR NOT NULL,
    key     VARCHAR NOT NULL,
    budget  VARCHAR NOT NULL,
    fired   TIMESTAMP NOT NULL,
    updated TIMESTAMP NOT NULL,
    body    VARCHAR NOT NULL
);
CREATE TABLE anomaly_subscriptions (
    id    VARCHAR NOT NULL,
    scope VARCHAR NOT NULL,
    name  VARCHAR NOT NULL,
    body  VARCHAR NOT NULL
);
CREATE TABLE exchange_rates (
    from_currency VARCHAR NOT NULL,
    to_currency   VARCHAR NOT NULL,
    rate          DECIMAL(38, 18) NOT NULL,
    updated       TIMESTAMP NOT NULL
);
