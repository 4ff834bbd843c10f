"""The Payroll view: a period's pay per employee, previewed and exported."""
