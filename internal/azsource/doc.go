// Package azsource is Azure Cost Management exports as an ingest source (as
// cursource is for AWS CURs): the layouts exports write to Blob Storage, on
// disk (Format) or in a container read through the azblob SDK (Blob), their
// manifests and current runs, and the combination of an actual and an
// amortized export into one set of FOCUS rows. Rows are read by azexport
// (cost details) and focusfile (FocusCost exports).
//
// # Layouts
//
// Exports since 2023 write each run to its own folder,
// <root>/<export>/<YYYYMMDD-YYYYMMDD>/<yyyyMMddHHmm>/<guid>/, holding
// manifest.json (exportConfig: exportName, resourceId, type ActualCost,
// AmortizedCost or FocusCost; runInfo: runId, submittedTime, startDate;
// blobs with byteCount and dataRowCount) and the partitioned part_*.csv or
// .csv.gz files. Older exports write one file per run,
// <root>/<export>/<YYYYMMDD-YYYYMMDD>/<export>_<guid>.csv, with no manifest
// (so no scope and no dataset: Options.AmortizedExports names the amortized
// ones). Every run of a month holds the whole month so far: the newest run
// (submittedTime, else the blob's time) of each export and month is current.
//
// # Deliveries
//
// One ingest.Delivery per scope and month: source azure-export/<scope>
// (the ARM scope, lower-cased: azure-export/subscriptions/<guid>), or
// azure-export/<scope>/focus for a FocusCost export, or
// azure-export/<export> for the older layout. The version names the runs
// (ActualCost:<runId>+AmortizedCost:<runId>; a checksum of the file's name,
// size and time for the older layout), so that a new run replaces the month
// atomically, as a CUR's new assembly does. A billing account scope gives
// the delivery's billing account; other scopes leave it to the rows. Two
// exports of one dataset for the same scope and month are refused (they
// bill the same cost); a FocusCost export beside cost details of its scope
// is left out, with a warning.
//
// # Actual and amortized
//
// FOCUS wants BilledCost from the invoice (the actual export) and
// EffectiveCost with commitments spread over the usage they cover (the
// amortized export). When both exports of a scope and month are found they
// load as one set of rows: every row of the amortized export
// (azexport.Options.Amortized: EffectiveCost is the amortized cost;
// BilledCost is 0 on rows a reservation or savings plan paid for and on
// unused commitment rows), plus the rows only the actual export holds:
// purchases and refunds of a reservation or savings plan, with EffectiveCost
// 0 (their cost is in the amortized usage). So EffectiveCost sums to the
// amortized export's total by construction, and BilledCost should sum to the
// actual export's total: after reading, Reckon compares them and, if they
// differ, warns with both figures. It warns rather than refuses because
// Azure runs the two exports separately, minutes or hours apart, while the
// month's data is still arriving; refusing would keep the whole month out
// until two runs happened to agree, and the next runs reconcile it. With
// only one of the two, it loads alone and a warning says what it cannot
// give: an actual export has no amortization (EffectiveCost is BilledCost),
// an amortized one lacks the commitment purchases in BilledCost.
//
// # Bad input
//
// A file shorter (or longer) than its manifest's byteCount, or with other
// than its dataRowCount rows, is refused, naming the blob; rows that cannot
// be read are refused by azexport or focusfile, naming file, line and
// column. Either way the load stops before its commit, and the store is as
// it was. From Blob Storage, failures carry cost.EAccessDeniedExport,
// cost.EExportNotFound or cost.EExportIsNotValid, with messages that say
// what to fix and never hold the SAS token or account key.
//
// # Sources
//
// A source of kind azure-export (cost.ConnectorAzureExport) collects a Blob
// through ingest.Loader.Collect; one of kind focus lists the container
// through Blob's Objects, Read and Download (a focussource.Bucket) and reads
// FOCUS files with focussource.Remote.
package azsource
