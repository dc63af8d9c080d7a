// Package report renders the station's spreadsheets (the day report as CSV and XLSX,
// the visitor ledger's export) and reads the ones the county imports. It takes domain
// types and translated labels and returns bytes, so the HTTP handlers and the daily
// report files only call it. It is the only package that imports excelize.
package report
